// Questions about someone else's data get one refusal, decided before any
// provider sees the question and from its words alone: the catalog's words,
// plain English, and the asker's own data — never a list of tenants. So
// "revenue for globex" (a real customer) and "revenue for zorblax" (made up)
// are refused with the same sentence, and a refusal cannot confirm who else
// is a customer. Answers always run under the asker's scope anyway; this is
// about not answering the wrong question with the asker's own numbers.

export const OTHERS_REFUSAL = "I can only answer questions about your own data in this dashboard.";

/** Named groups of other parties: "other customers", "all tenants", "competitors", tenant ids. */
const OTHER_PARTIES =
  /\b(other|all|every|another|each|any|different) (customers?|tenants?|companies|company|accounts?|organi[sz]ations?|clients?|users of other)\b|\bcompetitors?\b|\btenants?\b|\btenant[_ ]?ids?\b|\bsomeone else'?s?\b|\beverybody else'?s?\b/;

/** After these words a name is a party the question is about ("revenue for X", "compared to X"); "of" and "with" are left out ("number of…", "users with…"). */
const PARTY_PREPOSITIONS = /\b(for|at|about|to|versus|vs|than|against|like)\s+((?:the|a|an)\s+)?([a-z0-9][a-z0-9&._-]*)/g;

// Words that may follow those prepositions in a question about one's own data.
const OWN = new Set(["my", "our", "me", "us", "mine", "ours", "we", "i", "this", "these", "that", "those", "it", "them", "here", "dashboard", "data", "account", "business", "site", "app", "product", "team"]);
const PERIOD = new Set([
  "last", "past", "previous", "next", "current", "recent", "today", "yesterday", "tomorrow", "now", "day", "days", "daily", "week", "weeks", "weekly", "weekend", "month", "months", "monthly",
  "quarter", "quarters", "q1", "q2", "q3", "q4", "h1", "h2", "fy", "year", "years", "yearly", "hour", "hours", "hourly", "time", "period", "date", "dates", "morning", "evening", "night", "ytd", "mtd",
  "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december",
  "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
]);
const GENERAL = new Set([
  "each", "every", "all", "any", "both", "one", "two", "three", "top", "most", "least", "more", "less", "same", "total", "average", "overall", "whole", "first", "second", "new", "returning", "active",
  "while", "example", "instance", "reference", "real", "sure", "once", "ever", "good", "now",
  "per", "over", "under", "between", "since", "until", "by", "and", "or", "not", "no", "how", "what", "which", "when", "where", "who", "so", "far", "date", "start", "end", "beginning", "comparison", "trend", "change",
  "signups", "signup", "sign", "registrations", "registration", "orders", "order", "purchases", "purchase", "revenue", "sales", "sale", "income", "turnover", "value", "values", "conversion", "conversions",
  "page", "pages", "views", "view", "pageviews", "traffic", "visits", "visit", "visitors", "users", "user", "people", "events", "event", "activity", "country", "countries", "plan", "plans", "device", "devices",
  "mobile", "desktop", "tablet", "web", "free", "pro", "enterprise", "starter", "team", "paid", "trial", "customers", "customer", "sessions", "session", "numbers", "number", "count", "share", "rate", "percent",
]);

/** The names a question puts after a party preposition that are not everyday words of a question about one's own data. */
export function namedParties(question: string): string[] {
  const q = question.toLowerCase().replace(/[’]/g, "'").replace(/[?!,;:"()]/g, " ").replace(/\s+/g, " ");
  const names = new Set<string>();
  for (const match of q.matchAll(PARTY_PREPOSITIONS)) {
    const word = match[3].replace(/'s$/, "").replace(/[.]+$/, "");
    if (!word || /^\d/.test(word) || OWN.has(word) || PERIOD.has(word) || GENERAL.has(word)) continue;
    names.add(word);
  }
  // A party as the subject: "how many signups does globex have", "did globex get more orders".
  for (const match of q.matchAll(/\b(?:does|did|do|has|had|have|is|was|were|are)\s+((?:the|a|an)\s+)?([a-z0-9][a-z0-9&._-]*)\s+(?:have|has|had|get|got|make|made|see|saw|sell|sold|earn|earned|do|did|grow|grew|compare|perform|performed)\b/g)) {
    const word = match[2];
    if (!OWN.has(word) && !PERIOD.has(word) && !GENERAL.has(word)) names.add(word);
  }
  // Possessives: "globex's revenue" (but not "today's", "this week's").
  for (const match of q.matchAll(/\b([a-z0-9][a-z0-9&._-]*)'s\b/g)) {
    const word = match[1];
    if (!OWN.has(word) && !PERIOD.has(word) && !GENERAL.has(word)) names.add(word);
  }
  return [...names];
}

/**
 * Whether a question asks about anyone else's data. `isOwn` says whether a
 * word occurs in the asker's own data (a plan, a country, a page…): such a
 * word names something of theirs, not another party. Nothing here reads
 * another tenant or a list of tenants.
 */
export async function asksAboutOthers(question: string, isOwn: (word: string) => Promise<boolean>): Promise<boolean> {
  const q = question.toLowerCase();
  if (OTHER_PARTIES.test(q)) return true;
  for (const name of namedParties(question)) {
    // Two-letter codes in capitals are countries ("signups in US"): the catalog's own kind of value.
    if (new RegExp(`\\b${name.toUpperCase()}\\b`).test(question) && /^[a-z]{2}$/.test(name)) continue;
    if (!(await isOwn(name))) return true;
  }
  return false;
}
