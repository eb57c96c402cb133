import { DIMENSIONS, PROPERTY_DIMENSION } from "@/lib/query/catalog";
import type { Catalog } from "@/lib/query/catalog-tables";
import type { AstNode } from "@/lib/query/guard";

// Which catalog dimensions admin SQL reads, from the engine's own parse tree
// (the one the guard has already checked), so a session's allowed_dimensions
// can apply to custom-SQL widgets as to chart widgets. A map read with a
// constant key names its dimension; any other read of the map (a computed
// key, mapKeys, mapValues, the whole map) can reach keys nobody can name.

export type DimensionUse = { dimensions: string[]; unnamedMapKeys: boolean };

/** A string literal as EXPLAIN AST prints it, if it is a plain property key (no escapes to interpret). */
function literalKey(node: AstNode): string | undefined {
  if (node.kind !== "Literal") return undefined;
  const m = /^'([^'\\]*)'$/.exec(node.name);
  return m && PROPERTY_DIMENSION.test(`property:${m[1]}`) ? m[1] : undefined;
}

const lastPart = (name: string) => name.split(".").pop()!.toLowerCase();

export function dimensionUse(root: AstNode, catalog: Catalog): DimensionUse {
  const byColumn = new Map(DIMENSIONS.filter((d) => d.column).map((d) => [d.column!.toLowerCase(), d.id]));
  const byKey = new Map(DIMENSIONS.filter((d) => d.propertyKey).map((d) => [d.propertyKey!, d.id]));
  const mapColumns = new Set(catalog.tables.flatMap((t) => Object.entries(t.columns).filter(([, c]) => c.kind === "map").map(([name]) => name.toLowerCase())));
  const dimensions = new Set<string>();
  let unnamedMapKeys = false;
  // Identifiers already accounted for as the map of a constant-key read.
  const named = new Set<AstNode>();

  const visit = (n: AstNode) => {
    if (n.kind === "Function" && n.name.toLowerCase() === "arrayelement") {
      const [map, key] = n.children[0]?.children ?? [];
      if (map?.kind === "Identifier" && mapColumns.has(lastPart(map.name)) && key && n.children[0].children.length === 2) {
        const k = literalKey(key);
        if (k !== undefined) {
          dimensions.add(byKey.get(k) ?? `property:${k}`);
          named.add(map);
        }
      }
    }
    if (n.kind === "Identifier" && !named.has(n)) {
      const parts = n.name.toLowerCase().split(".");
      const last = parts[parts.length - 1];
      // The map anywhere but as a constant-key read (also a subcolumn such as properties.keys).
      if (parts.some((p) => mapColumns.has(p))) unnamedMapKeys = true;
      const dim = byColumn.get(last);
      if (dim) dimensions.add(dim);
    }
    n.children.forEach(visit);
  };
  visit(root);
  return { dimensions: [...dimensions].sort(), unnamedMapKeys };
}

/** The refusal tenants read when SQL touches a dimension the session may not use: plain words, no SQL, no keys. */
export function sqlDimensionRefusal(use: DimensionUse, allowed: string[] | undefined): string | undefined {
  if (!allowed) return undefined;
  if (use.unnamedMapKeys || use.dimensions.some((d) => !allowed.includes(d))) return "This chart uses data this session is not allowed to see.";
  return undefined;
}
