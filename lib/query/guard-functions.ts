// Functions admin SQL may call, lower-cased. An allowlist: a function is
// here only if it reads nothing outside the query's tables (no dict*, joinGet,
// file, url, remote, s3, executable, getSetting…) and cannot throw on data
// (no toInt64/toFloat64/toDate on strings, intDiv, modulo, CAST, throwIf,
// match with a pattern from data, repeat/range that can blow memory, addDays
// with a float, toUnixTimestamp of a string; LIKE patterns, date formats and
// intervals must be constants — guard.ts checks that): an error
// raised by another tenant's row would itself leak that the row exists.

const LOGIC = ["and", "or", "not", "xor", "if", "multiif", "equals", "notequals", "less", "greater", "lessorequals", "greaterorequals", "isnull", "isnotnull", "coalesce", "ifnull", "nullif"];
const MEMBERSHIP = ["in", "notin", "like", "notlike", "ilike", "notilike", "has", "startswith", "endswith", "empty", "notempty"];
const ARITHMETIC = ["plus", "minus", "multiply", "divide", "negate", "abs", "round", "floor", "ceil", "greatest", "least", "sqrt", "exp", "log", "pow"];
const STRINGS = ["lower", "upper", "length", "concat", "substring", "trim", "trimleft", "trimright", "position", "positioncaseinsensitive", "positionutf8", "positioncaseinsensitiveutf8", "tostring", "lowerutf8", "upperutf8"];
const SAFE_CONVERSIONS = ["tofloat64ornull", "toint64ornull", "touint64ornull", "todateornull", "todatetimeornull", "todatetime64ornull", "tofloat64orzero", "toint64orzero", "parsedatetimebesteffortornull"];
const TIME = [
  "now", "today", "yesterday", "tostartofhour", "tostartofday", "tostartofweek", "tostartofmonth", "tostartofquarter", "tostartofyear", "tomonday",
  "tostartofminute", "tostartoffiveminutes", "tostartoffifteenminutes", "toyear", "tomonth", "todayofmonth", "todayofweek", "tohour", "tominute",
  "toyyyymm", "toyyyymmdd", "datediff", "formatdatetime", "tointervalhour", "tointervalday", "tointervalweek", "tointervalmonth", "tointervalminute",
];
const STRUCTURES = ["arrayelement", "tuple", "array", "tupleelement", "mapkeys", "mapvalues", "mapcontains"];
const AGGREGATES = [
  "count", "countif", "sum", "sumif", "avg", "avgif", "min", "minif", "max", "maxif", "uniq", "uniqif", "uniqexact", "uniqexactif",
  "any", "anyif", "argmin", "argmax", "median", "quantile", "quantileexact", "quantileif", "quantileexactif", "topk", "groupuniqarray", "grouparray",
];
const WINDOW = ["row_number", "rank", "dense_rank"];

export const ALLOWED_FUNCTIONS = new Set([...LOGIC, ...MEMBERSHIP, ...ARITHMETIC, ...STRINGS, ...SAFE_CONVERSIONS, ...TIME, ...STRUCTURES, ...AGGREGATES, ...WINDOW]);
