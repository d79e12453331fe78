// Markers of automated browsers and HTTP libraries that the click path's bot list (isbot, which targets crawlers)
// does not treat as bots: headless Chrome, automation drivers and scripting clients pretend to be users.
const MARKERS: readonly [RegExp, string][] = [
  [/HeadlessChrome/i, "HeadlessChrome"],
  [/PhantomJS/i, "PhantomJS"],
  [/\bSlimerJS\b/i, "SlimerJS"],
  [/\bPuppeteer\b/i, "Puppeteer"],
  [/\bPlaywright\b/i, "Playwright"],
  [/\bSelenium\b|webdriver/i, "Selenium/WebDriver"],
  [/\bElectron\//, "Electron"],
  [/\bpython-requests\b|\bpython-urllib\b|\baiohttp\b/i, "Python HTTP client"],
  [/^curl\//i, "curl"],
  [/^Wget\//i, "Wget"],
  [/\bGo-http-client\b/i, "Go HTTP client"],
  [/\bokhttp\b/i, "OkHttp"],
  [/^Java\//, "Java HTTP client"],
  [/\bnode-fetch\b|\baxios\b|\bundici\b/i, "Node HTTP client"],
];

/** All markers in one pattern: a browser's user agent (nearly every click) is scanned once, not once per marker. */
const ANY = new RegExp(MARKERS.map(([p]) => `(?:${p.source})`).join("|"), "i");

/** The automation marker found in a user agent, or null. An empty user agent counts: browsers always send one. */
export function headlessMarker(userAgent: string | null | undefined): string | null {
  if (userAgent === null || userAgent === undefined || userAgent.trim() === "") return "empty user agent";
  if (!ANY.test(userAgent)) return null;
  for (const [pattern, name] of MARKERS) if (pattern.test(userAgent)) return name;
  return null;
}
