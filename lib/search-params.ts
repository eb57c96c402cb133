import { z } from "zod";

/** A URL search param as Next hands it to a page: the first value, trimmed; empty means "not set". */
export const searchParam = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => {
    const first = Array.isArray(value) ? value[0] : value;
    return typeof first === "string" && first.trim() !== "" ? first.trim() : undefined;
  }, schema.optional());
