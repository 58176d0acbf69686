/** Who is signed in (GET /me, kept on the device for offline starts) and what their roles let them do. */
import { api, signIn, signOut, tokens } from "./api.js";

const ME_KEY = "linli.me";
const API_CACHE = "linli-api";

// Mirrors app/core/permissions.py.
export const NOTICE_ROLES = new Set(["grid_worker", "community_worker", "committee", "street_staff", "admin"]);
export const MEMBERSHIP_ROLES = new Set(["grid_worker", "community_worker", "street_staff", "admin"]);

export const session = { me: null };

export function signedIn() {
  return tokens.get() !== null;
}

/** Keeps a fresh /me body (from GET /me or a change that answers with it) for this page and offline starts. */
export function keepMe(me) {
  session.me = me;
  localStorage.setItem(ME_KEY, JSON.stringify(me));
  return me;
}

/** Fresh from the server when online; the last copy seen when not. */
export async function loadMe() {
  try {
    keepMe(await api("/me"));
  } catch (err) {
    if (!err.offline) throw err;
    session.me = JSON.parse(localStorage.getItem(ME_KEY) || "null");
    if (!session.me) throw err;
  }
  return session.me;
}

export async function login(path, body) {
  await forgetLocalData();
  await signIn(path, body);
  return loadMe();
}

export async function logout() {
  await signOut();
  await forgetLocalData();
}

/** Cached API answers belong to one user: drop them when someone signs in or out. */
export async function forgetLocalData() {
  session.me = null;
  localStorage.removeItem(ME_KEY);
  if ("caches" in window) await caches.delete(API_CACHE).catch(() => {});
}

function active(me) {
  return (me?.memberships || []).filter((m) => m.status === "active");
}

export function staffMemberships(me, roles) {
  return active(me).filter((m) => roles.has(m.role));
}

export function isStaff(me) {
  return active(me).some((m) => m.role !== "resident");
}

export function canPostNotices(me) {
  return staffMemberships(me, NOTICE_ROLES).length > 0;
}

export function canReviewMemberships(me) {
  return staffMemberships(me, MEMBERSHIP_ROLES).length > 0;
}

// Mirrors app/dashboard/scope.py DASHBOARD_ROLES.
export const DASHBOARD_ROLES = new Set(["grid_worker", "community_worker", "committee", "street_staff", "admin"]);

export function canSeeDashboard(me) {
  return staffMemberships(me, DASHBOARD_ROLES).length > 0;
}

export function residentMemberships(me) {
  return (me?.memberships || []).filter((m) => m.role === "resident");
}

export function hasActiveMembership(me) {
  return active(me).length > 0;
}
