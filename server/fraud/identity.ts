// Identity normalization for the repeat-customer checks: one person converting as "Jane.Doe+1@gmail.com",
// "janedoe+2@gmail.com" and " JANEDOE@googlemail.com " is one customer. Ids are trimmed and lower-cased; emails lose
// their plus tag (every major provider delivers name+tag@ to name@) and, at providers that ignore dots in the local
// part (Gmail), the dots. Non-email ids are only trimmed and lower-cased: a merchant's own account ids carry no
// aliasing rules we could know.

/** Providers whose mailboxes ignore dots in the local part, with the domain their aliases map to. */
const DOTLESS_DOMAINS: Record<string, string> = { "gmail.com": "gmail.com", "googlemail.com": "gmail.com" };

/** The customer as one person: the key the repeat-customer counters use. */
export function customerKey(raw: string | null | undefined): string | null {
  const text = raw?.trim().toLowerCase();
  if (!text) return null;
  const at = text.lastIndexOf("@");
  if (at <= 0 || at === text.length - 1) return text;
  let local = text.slice(0, at);
  let domain = text.slice(at + 1);
  const plus = local.indexOf("+");
  if (plus > 0) local = local.slice(0, plus);
  const dotless = DOTLESS_DOMAINS[domain];
  if (dotless) {
    domain = dotless;
    local = local.replaceAll(".", "");
  }
  return `${local}@${domain}`;
}

/**
 * The form the customer typed, up to case and spaces: two of these with one `customerKey` are deliberate
 * aliases (a new plus tag or dot placement per purchase), which honest repeat customers do not make.
 */
export function customerForm(raw: string | null | undefined): string | null {
  const text = raw?.trim().toLowerCase();
  return text ? text : null;
}
