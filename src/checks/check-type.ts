// The contract of a check type. A check type is one file that exports one CheckType: its
// configuration shape and defaults, the rules the schema cannot express, its secrets, the check
// itself, and how its figure reads in a map cell. src/checks/registry.ts lists them.
import type { ConfigIssue } from '../config/errors.ts';
import type { CheckOutcome, EntityBase, EntityState } from '../domain.ts';
import type { PushInbox } from './push-inbox.ts';

export interface CheckContext {
  /** Fires at the entity's timeout or when the caller gives up; checkers stop all I/O on it. */
  readonly signal: AbortSignal;
  /** Epoch milliseconds by which the checker must have answered. */
  readonly deadline: number;
  /** The clock's time (epoch ms), for types that judge by time rather than by a target. */
  now(): number;
  /** Pushes received by the running service; absent in a one-off `pulsemap check`. */
  readonly pushes?: PushInbox;
}

export type Checker<E extends EntityBase> = (entity: E, ctx: CheckContext) => Promise<CheckOutcome>;

/** An entity's fields as the schema let them through: the type's own keys, unchecked beyond that. */
export type RawFields = Readonly<Record<string, unknown>>;

/** The common fields, already defaulted, that `build` completes into the type's entity. */
export type BaseFields = Omit<EntityBase, 'type' | 'target'>;

/** A path into the configuration file, as config issues carry it. */
export type FieldPath = (string | number)[];

/** A piece of a cell line: what it shows and what the layout measures (a value of maximal width). */
export interface CellFigure {
  readonly text: string;
  readonly slot: string;
}

export interface CheckType<E extends EntityBase> {
  /** Schema-valid fields + the common ones -> the readonly, fully defaulted entity. */
  build(raw: RawFields, base: BaseFields): E;
  /**
   * Rules beyond the schema. Runs on raw data that may have failed the schema, so every access is
   * guarded; `at(field)` is the path of one of the entity's fields.
   */
  validate?(raw: RawFields, at: (...field: string[]) => FieldPath): ConfigIssue[];
  /** Values of the entity that must never be shown: passwords, header values, tokens. */
  secrets(entity: E): string[];
  readonly check: Checker<E>;
  /** Shown after the type and latency in the entity's map cell (api: `HTTP 200`). */
  figure?(entity: E, state: EntityState): CellFigure;
  /** Figures of `extra` the cell leaves out because `figure` shows them or another repeats them. */
  readonly hiddenFigures?: readonly string[];
  /**
   * For types that are not polled (push): the check comes this long after the last one, instead of
   * `interval`, and first this long after a start; a push runs one at once.
   */
  passiveDeadlineMs?(entity: E): number;
}
