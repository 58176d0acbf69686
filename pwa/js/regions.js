/** The region tree (district → street → community → grid) and which parts of it a staff member serves. */
import { api } from "./api.js";
import { staffMemberships } from "./session.js";

let treePromise = null;

export function regionTree() {
  if (!treePromise) {
    treePromise = api("/regions").catch((err) => {
      treePromise = null;
      throw err;
    });
  }
  return treePromise;
}

/** Every node with its depth and ancestors, in tree order. */
export function flatten(tree, depth = 0, ancestors = []) {
  const rows = [];
  for (const node of tree || []) {
    rows.push({ node, depth, ancestors });
    rows.push(...flatten(node.children, depth + 1, [...ancestors, node]));
  }
  return rows;
}

export function findRegion(tree, id) {
  return flatten(tree).find((row) => row.node.id === Number(id)) || null;
}

/** Regions where the user holds one of `roles`, and everything beneath them, in tree order. */
export function servedRegions(tree, me, roles) {
  const posted = new Set(staffMemberships(me, roles).map((m) => m.region.id));
  return flatten(tree).filter((row) => posted.has(row.node.id) || row.ancestors.some((a) => posted.has(a.id)));
}

/** Communities whose applications the user may review: served ones, or the community of a served grid. */
export function servedCommunities(tree, me, roles) {
  const rows = flatten(tree);
  const posted = new Set(staffMemberships(me, roles).map((m) => m.region.id));
  return rows.filter(({ node, ancestors }) => node.level === "community" && (
    posted.has(node.id) || ancestors.some((a) => posted.has(a.id)) || (node.children || []).some((g) => posted.has(g.id))
  ));
}
