"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import { saveDraftAction } from "@/app/admin/dashboards/[id]/actions";
import type { DashboardDefinition, DashboardDefinitionInput } from "@/lib/dashboards/definition";
import type { Status } from "./save-status";

// The designer's draft: edits with undo, and autosave with the revision this
// editor last saw. A stale save is refused by the server and kept here.
// One save at a time — a second save with the same revision would conflict
// with the first; edits made while a save is in flight are saved after it,
// with the revision it returned.

export type Doc = { name: string; definition: DashboardDefinitionInput };

const AUTOSAVE_MS = 700;

export function useDraft(initial: { id: string; name: string; revision: number; definition: DashboardDefinition }) {
  const [doc, setDoc] = useState<Doc>({ name: initial.name, definition: initial.definition });
  const [history, setHistory] = useState<Doc[]>([]);
  const [revision, setRevision] = useState(initial.revision);
  const [status, setStatus] = useState<Status>({ kind: "saved" });
  const dirty = useRef(false);
  const saving = useRef(false);
  const edits = useRef(0);
  // After a failed save, wait for the next edit instead of retrying the same draft in a loop.
  const waitForEdit = useRef(false);
  const id = initial.id;

  const changed = useCallback(() => {
    dirty.current = true;
    waitForEdit.current = false;
    edits.current++;
    setStatus({ kind: "pending" });
  }, []);

  const update = useCallback((fn: (d: Doc) => Doc) => {
    setDoc((current) => {
      const next = fn(current);
      if (next === current) return current;
      setHistory((h) => [...h.slice(-49), current]);
      changed();
      return next;
    });
  }, [changed]);

  const undo = useCallback(() => {
    setHistory((h) => {
      if (h.length === 0) return h;
      setDoc(h[h.length - 1]);
      changed();
      return h.slice(0, -1);
    });
  }, [changed]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement;
      if ((e.ctrlKey || e.metaKey) && e.key === "z" && !["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName)) {
        e.preventDefault();
        undo();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [undo]);

  useEffect(() => {
    if (!dirty.current || saving.current || waitForEdit.current || status.kind === "conflict") return;
    const timer = setTimeout(async () => {
      saving.current = true;
      const editsAtSave = edits.current;
      setStatus({ kind: "saving" });
      try {
        const result = await saveDraftAction({ id: id, revision, name: doc.name, definition: doc.definition });
        saving.current = false;
        if (result.ok) {
          const editedSince = edits.current !== editsAtSave;
          dirty.current = editedSince;
          setRevision(result.revision);
          setStatus(editedSince ? { kind: "pending" } : { kind: "saved", at: result.savedAt });
        } else if (result.conflict) {
          setStatus({ kind: "conflict", updatedBy: result.updatedBy, revision: result.revision });
        } else {
          waitForEdit.current = true;
          setStatus({ kind: "error", message: result.error });
        }
      } catch {
        saving.current = false;
        waitForEdit.current = true;
        setStatus({ kind: "error", message: "Could not reach the server; your changes are kept here and will be saved on the next edit." });
      }
    }, AUTOSAVE_MS);
    return () => clearTimeout(timer);
  }, [doc, revision, id, status.kind]);

  // Warn before leaving with unsaved changes.
  useEffect(() => {
    const onLeave = (e: BeforeUnloadEvent) => {
      if (dirty.current) e.preventDefault();
    };
    window.addEventListener("beforeunload", onLeave);
    return () => window.removeEventListener("beforeunload", onLeave);
  }, []);

  /** After a conflict: save this editor's draft over the newer one. */
  const keepMine = useCallback(() => {
    if (status.kind !== "conflict") return;
    setRevision(status.revision);
    setStatus({ kind: "pending" });
    dirty.current = true;
  }, [status]);

  return { doc, history, status, update, undo, keepMine };
}
