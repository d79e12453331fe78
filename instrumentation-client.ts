// Runs in the browser before the app's modules (Next's client instrumentation hook). Zod probes `new Function` when
// its first object schema is built, to compile fast parsers; under our CSP (no 'unsafe-eval', proxy.ts) the probe
// fails harmlessly but is reported as a CSP violation. Zod reads this global config at load: no probe, no report.
const g = globalThis as { __zod_globalConfig?: Record<string, unknown> };
Object.assign((g.__zod_globalConfig ??= {}), { jitless: true });
