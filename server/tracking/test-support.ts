// What the click-path tests need besides server/testing/fixtures.
import { createLink, createOffer } from "../testing/fixtures";

/** A link (and its own offer and affiliate), with the offer returned too for tests that change its parameter. */
export async function createTestLink(opts: { slug?: string; destinationUrl?: string; clickIdParam?: string; active?: boolean } = {}) {
  const offer = await createOffer(opts.clickIdParam ? { clickIdParam: opts.clickIdParam } : {});
  const link = await createLink({
    offerId: offer.id,
    ...(opts.slug && { slug: opts.slug }),
    ...(opts.destinationUrl && { destinationUrl: opts.destinationUrl }),
    ...(opts.active !== undefined && { active: opts.active }),
  });
  return { link, offer };
}
