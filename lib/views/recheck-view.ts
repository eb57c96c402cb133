import "server-only";
import { z } from "zod";
import { filterDimensions, type DashboardDefinition } from "@/lib/dashboards/definition";
import { visibleWidgets } from "@/lib/query/run-dashboard";
import type { ActiveSession } from "@/lib/embed/sessions";
import { resolveDimension } from "@/lib/query/catalog";
import { compileWidget } from "@/lib/query/compile-widget";
import { hiddenAccessRefusal } from "@/lib/query/hidden-access";
import { breakdownRefusal, drillFilterRefusal, filterRefusal, isLockedFilter } from "@/lib/query/permission-checks";
import type { TenantScope } from "@/lib/query/scope";
import { boundTimeRange } from "@/lib/query/time-range";
import { FilterState, type Filter } from "@/lib/query/widget-spec";
import { AiAnswer, WidgetViewState, type ViewNotice, type ViewState } from "@/lib/views/view-state";

// Opening a view re-checks what it stores against the session that opens it
// (a shared view may come from a user with wider permissions) and the
// dashboard's live version. Whatever no longer holds is dropped or narrowed,
// and each change becomes a notice in plain words; the view still opens.

export type RecheckContext = { session: ActiveSession; scope: TenantScope; definition: DashboardDefinition; now?: Date };

// Stored JSON is read part by part, so one part that no longer parses (the
// catalog or the schema changed) does not cost the rest of the view.
const StoredState = z.object({
  filters: z.unknown().optional(),
  widgets: z.record(z.string(), z.unknown()).optional(),
  ai_answers: z.array(z.unknown()).optional(),
});

const label = (dimension: string) => resolveDimension(dimension)?.label ?? dimension;
const quote = (text: string) => `“${text.length > 80 ? `${text.slice(0, 79)}…` : text}”`;

export function recheckViewState(raw: unknown, ctx: RecheckContext): { state: ViewState; notices: ViewNotice[] } {
  const notices: ViewNotice[] = [];
  const stored = StoredState.safeParse(raw);
  const parts = stored.success ? stored.data : {};
  if (!stored.success) notices.push({ code: "view_unreadable", message: "This view could not be read any more, so the dashboard opens as it is." });
  return {
    state: {
      filters: recheckFilters(parts.filters, ctx, notices),
      widgets: recheckWidgets(parts.widgets ?? {}, ctx, notices),
      ai_answers: recheckAiAnswers(parts.ai_answers ?? [], ctx, notices),
    },
    notices,
  };
}

function recheckFilters(raw: unknown, ctx: RecheckContext, notices: ViewNotice[]): FilterState {
  const parsed = FilterState.safeParse(raw ?? {});
  if (!parsed.success) {
    notices.push({ code: "filters_unreadable", message: "The filters saved in this view could not be read any more, so the dashboard's own filters are used." });
    return {};
  }
  const permissions = ctx.session.permissions;
  const { time_range, filters, breakdown, compare } = parsed.data;
  // Compare is kept as asked: a render drops it, and says so, where the session's date bound does not allow it.
  const out: FilterState = compare ? { compare } : {};
  if (time_range) {
    out.time_range = boundTimeRange(time_range, permissions.max_date_range_days, ctx.definition.timezone, ctx.now ?? new Date());
    if (out.time_range !== time_range) {
      notices.push({ code: "date_range_shortened", message: `The saved period is longer than this session allows (${permissions.max_date_range_days} days), so it was shortened.` });
    }
  }
  if (filters) {
    const dashboardDimensions = filterDimensions(ctx.definition);
    const kept: Filter[] = [];
    const reported = new Set<string>();
    for (const f of filters) {
      const notice: ViewNotice | undefined = isLockedFilter(f, permissions)
        ? { code: "filter_locked", message: `${label(f.field)} is set for you by the site, so the saved ${label(f.field)} filter was replaced.` }
        : filterRefusal(f, permissions) || drillFilterRefusal(f, dashboardDimensions, permissions)
          ? { code: "filter_not_allowed", message: `Filtering by ${label(f.field)} is not available here, so the saved ${label(f.field)} filter was removed.` }
          : undefined;
      if (!notice) kept.push(f);
      else if (!reported.has(`${notice.code}:${f.field}`)) {
        reported.add(`${notice.code}:${f.field}`);
        notices.push(notice);
      }
    }
    out.filters = kept;
  }
  if (breakdown) {
    if (breakdownRefusal({ requested: breakdown }, permissions)) notices.push({ code: "breakdown_dropped", message: `Breaking down by ${label(breakdown)} is not available here, so the saved breakdown was removed.` });
    else out.breakdown = breakdown;
  }
  return out;
}

function recheckWidgets(raw: Record<string, unknown>, ctx: RecheckContext, notices: ViewNotice[]): ViewState["widgets"] {
  // Hidden widgets count as gone: the same notice, so it says nothing about what is hidden.
  const live = new Map(visibleWidgets(ctx.definition, ctx.session.permissions).map((w) => [w.id, w]));
  const out: ViewState["widgets"] = {};
  for (const [id, value] of Object.entries(raw)) {
    const widget = live.get(id);
    const saved = WidgetViewState.safeParse(value);
    if (!widget || !saved.success) {
      notices.push({ code: "widget_removed", widget_id: id, message: "A chart saved in this view is no longer on this dashboard, so its settings were left out." });
      continue;
    }
    const { breakdown } = saved.data;
    if (!breakdown) continue;
    if (widget.kind !== "chart" || !widget.breakdown) {
      notices.push({ code: "breakdown_dropped", widget_id: id, message: `${quote(widget.title)} can no longer be broken down, so the saved breakdown was removed.` });
    } else if (breakdownRefusal({ requested: breakdown, widgetDefault: widget.breakdown }, ctx.session.permissions)) {
      notices.push({ code: "breakdown_dropped", widget_id: id, message: `Breaking ${quote(widget.title)} down by ${label(breakdown)} is not available here, so the saved breakdown was removed.` });
    } else {
      out[id] = { breakdown };
    }
  }
  return out;
}

function recheckAiAnswers(raw: unknown[], ctx: RecheckContext, notices: ViewNotice[]): ViewState["ai_answers"] {
  const permissions = ctx.session.permissions;
  const out: ViewState["ai_answers"] = [];
  for (const value of raw) {
    const parsed = AiAnswer.safeParse(value);
    const question = parsed.success ? parsed.data.question : typeof (value as { question?: unknown })?.question === "string" ? String((value as { question: string }).question) : "";
    const about = question ? `The AI answer to ${quote(question)}` : "A saved AI answer";
    const answerId = parsed.success ? parsed.data.id : undefined;
    if (!permissions.allow_ai) {
      notices.push({ code: "ai_not_allowed", answer_id: answerId, message: `${about} is not available in this session, so it was left out.` });
      continue;
    }
    if (!parsed.success) {
      notices.push({ code: "ai_answer_dropped", message: `${about} could not be read any more, so it was left out.` });
      continue;
    }
    const answer = parsed.data;
    // compileWidget checks the breakdown, hidden ids and locks; a spec's own filters are checked here.
    if (answer.spec.filters.some((f) => filterRefusal(f, permissions))) {
      notices.push({ code: "ai_answer_dropped", answer_id: answer.id, message: `${about} uses data this session cannot see, so it was left out.` });
      continue;
    }
    // What only the session's hidden widgets show is dropped, in the same words as any answer that no longer compiles.
    if (hiddenAccessRefusal(answer.spec, ctx.definition, permissions)) {
      notices.push({ code: "ai_answer_dropped", answer_id: answer.id, message: `${about} can no longer be shown here, so it was left out.` });
      continue;
    }
    const timeRange = boundTimeRange(answer.spec.time_range, permissions.max_date_range_days, ctx.definition.timezone, ctx.now ?? new Date());
    const spec = { ...answer.spec, time_range: timeRange };
    try {
      compileWidget(spec, ctx.scope, { permissions, timezone: ctx.definition.timezone, now: ctx.now });
    } catch {
      notices.push({ code: "ai_answer_dropped", answer_id: answer.id, message: `${about} can no longer be shown here, so it was left out.` });
      continue;
    }
    if (timeRange !== answer.spec.time_range) {
      notices.push({ code: "ai_answer_shortened", answer_id: answer.id, message: `${about} covered a longer period than this session allows, so it was shortened.` });
    }
    out.push({ ...answer, spec });
  }
  return out;
}
