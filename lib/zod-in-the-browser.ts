import { z } from "zod";

// Zod compiles object parsers with `new Function` when it may, and finds out by
// trying once. Under the pages' Content-Security-Policy (no 'unsafe-eval') that
// try is a refused eval, which the browser reports as a violation. In the
// browser, zod parses without it; the server keeps its compiled parsers.
if (typeof window !== "undefined") z.config({ jitless: true });
