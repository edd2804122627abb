/**
 * The request's SSE header values a statement's `condition` sees: the engine's port type (the facade
 * fills it from what the request asked for, engine/facade/conditions-of.ts).
 */
export type { ActionConditions } from '../engine/facade/object-action-policy.js';
