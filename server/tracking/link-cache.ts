// Every active link, in memory: the redirect answers from here and never waits for the database. Entries are
// built once per change (server/tracking/link-sync.ts keeps them current) with the Location precomputed.
import { locationParts } from "./destination";
import { SLUG_PATTERN } from "./slug";

/** A links row joined with its offer's click id parameter, as link-sync reads it. */
export interface LinkRow {
  id: number;
  slug: string;
  affiliateId: string;
  offerId: string;
  destinationUrl: string;
  active: boolean;
  clickIdParam: string;
}

export interface LinkEntry {
  id: number;
  affiliateId: string;
  offerId: string;
  head: string;
  tail: string;
  /** What the entry was built from, so an unchanged row is not rebuilt by a full reload. */
  source: string;
}

const sourceOf = (row: LinkRow) => `${row.slug}\n${row.affiliateId}\n${row.offerId}\n${row.clickIdParam}\n${row.destinationUrl}`;

export class LinkCache {
  private readonly bySlug = new Map<string, LinkEntry>();
  private readonly slugById = new Map<number, string>();
  /** Where unknown or disabled slugs go instead of the 404 page (ProgramSettings.fallbackUrl), already validated. */
  fallbackUrl: string | null = null;

  get(slug: string): LinkEntry | undefined {
    return this.bySlug.get(slug);
  }

  get size(): number {
    return this.bySlug.size;
  }

  /** Applies one row as it is now: inactive rows and unusable destinations leave the cache. */
  apply(row: LinkRow): void {
    const source = sourceOf(row);
    if (row.active && this.bySlug.get(row.slug)?.source === source && this.slugById.get(row.id) === row.slug) return;
    this.remove(row.id);
    const parts = row.active && SLUG_PATTERN.test(row.slug) ? locationParts(row.destinationUrl, row.clickIdParam) : null;
    if (!parts) return;
    // A slug is unique in the table, but a rename and a reuse can arrive in either order: the newer row wins.
    const previous = this.bySlug.get(row.slug);
    if (previous) this.slugById.delete(previous.id);
    this.bySlug.set(row.slug, { id: row.id, affiliateId: row.affiliateId, offerId: row.offerId, ...parts, source });
    this.slugById.set(row.id, row.slug);
  }

  remove(id: number): void {
    const slug = this.slugById.get(id);
    if (slug === undefined) return;
    this.slugById.delete(id);
    if (this.bySlug.get(slug)?.id === id) this.bySlug.delete(slug);
  }

  /** Makes the content equal to `rows` (boot and periodic resync); unchanged entries are kept as they are. */
  replaceAll(rows: Iterable<LinkRow>): void {
    const seen = new Set<number>();
    for (const row of rows) {
      seen.add(row.id);
      this.apply(row);
    }
    for (const id of [...this.slugById.keys()]) if (!seen.has(id)) this.remove(id);
  }
}
