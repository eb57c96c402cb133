import { z } from "zod";
import { ChartWidget, DimensionId, FilterState, WidgetId } from "@/lib/query/widget-spec";

// What a saved view stores: the embed's dashboard filters, per-widget state
// (today: a drill-down breakdown) keyed by widget id, and AI answers as specs.
// Strict and size-limited; no tenant field anywhere (it comes from the
// session). Pure: the embed's client component imports the types.

export const MAX_VIEW_STATE_BYTES = 64_000;
export const MAX_AI_ANSWERS = 10;
export const MAX_VIEW_NAME = 100;

export const WidgetViewState = z.object({ breakdown: DimensionId.optional() }).strict();
export type WidgetViewState = z.infer<typeof WidgetViewState>;

export const AiAnswer = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "expected an answer id of 1-64 letters, digits, _ or -"),
    question: z.string().trim().min(1, "an answer needs its question").max(500),
    spec: ChartWidget,
  })
  .strict();
export type AiAnswer = z.infer<typeof AiAnswer>;

const byteLength = (value: unknown) => new TextEncoder().encode(JSON.stringify(value)).length;

export const ViewState = z
  .object({
    filters: FilterState.default({}),
    widgets: z
      .record(WidgetId, WidgetViewState)
      .refine((w) => Object.keys(w).length <= 50, "at most 50 widgets")
      .default({}),
    ai_answers: z
      .array(AiAnswer)
      .max(MAX_AI_ANSWERS, `at most ${MAX_AI_ANSWERS} AI answers`)
      .refine((a) => new Set(a.map((x) => x.id)).size === a.length, "AI answer ids must be unique")
      .default([]),
  })
  .strict()
  .refine((s) => byteLength(s) <= MAX_VIEW_STATE_BYTES, `a view's state is at most ${MAX_VIEW_STATE_BYTES} bytes as JSON`);
export type ViewState = z.infer<typeof ViewState>;
export type ViewStateInput = z.input<typeof ViewState>;

export const ViewName = z
  .string()
  .trim()
  .min(1, "give the view a name")
  .max(MAX_VIEW_NAME, `a view name is at most ${MAX_VIEW_NAME} characters`)
  .refine((n) => !/\p{Cc}/u.test(n), "a view name cannot contain control characters");

export const CreateViewInput = z.object({ name: ViewName, state: ViewState, shared: z.boolean().default(false) }).strict();
export type CreateViewInput = z.infer<typeof CreateViewInput>;

export const UpdateViewInput = z
  .object({ name: ViewName.optional(), shared: z.boolean().optional() })
  .strict()
  .refine((u) => u.name !== undefined || u.shared !== undefined, "send a new name, shared, or both");
export type UpdateViewInput = z.infer<typeof UpdateViewInput>;

/** A view as the embed lists it: no tenant, no user ids; `owned` says whether this session may change it. */
export type ViewSummary = { id: string; name: string; shared: boolean; owned: boolean; version_number: number; created_at: string; updated_at: string };

export type ViewNoticeCode =
  | "filter_locked"
  | "filter_not_allowed"
  | "view_unreadable"
  | "filters_unreadable"
  | "date_range_shortened"
  | "breakdown_dropped"
  | "widget_removed"
  | "ai_not_allowed"
  | "ai_answer_dropped"
  | "ai_answer_shortened"
  | "dashboard_updated";

/** Something opening a view dropped or changed, in plain words (no SQL, no tenant ids). */
export type ViewNotice = { code: ViewNoticeCode; message: string; widget_id?: string; answer_id?: string };

export type OpenedView = { view: ViewSummary; state: ViewState; notices: ViewNotice[]; live_version_number: number };
