/** The subset of the Amazon States Language the interpreter runs (see the provider's LIMITATIONS). */
import type { JsonValue } from './json.ts';

export type StateType = 'Task' | 'Choice' | 'Pass' | 'Wait' | 'Succeed' | 'Fail';

/** Fields every state may have. */
interface BaseState {
  Type: StateType;
  Comment?: string;
  InputPath?: string | null;
  OutputPath?: string | null;
}

interface Transition {
  Next?: string;
  End?: boolean;
}

export interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
  JitterStrategy?: 'FULL' | 'NONE';
}

export interface Catcher {
  ErrorEquals: string[];
  ResultPath?: string | null;
  Next: string;
}

export interface TaskState extends BaseState, Transition {
  Type: 'Task';
  Resource: string;
  Parameters?: JsonValue;
  ResultSelector?: JsonValue;
  ResultPath?: string | null;
  Retry?: Retrier[];
  Catch?: Catcher[];
  TimeoutSeconds?: number;
  TimeoutSecondsPath?: string;
  HeartbeatSeconds?: number;
  HeartbeatSecondsPath?: string;
}

export interface PassState extends BaseState, Transition {
  Type: 'Pass';
  Result?: JsonValue;
  Parameters?: JsonValue;
  ResultPath?: string | null;
}

export interface WaitState extends BaseState, Transition {
  Type: 'Wait';
  Seconds?: number;
  SecondsPath?: string;
  Timestamp?: string;
  TimestampPath?: string;
}

export interface SucceedState extends BaseState {
  Type: 'Succeed';
}

export interface FailState {
  Type: 'Fail';
  Comment?: string;
  Error?: string;
  ErrorPath?: string;
  Cause?: string;
  CausePath?: string;
}

/** A Choice rule: a comparison on Variable, or And/Or/Not of rules; top-level rules carry Next. */
export interface ChoiceRule {
  Variable?: string;
  And?: ChoiceRule[];
  Or?: ChoiceRule[];
  Not?: ChoiceRule;
  Next?: string;
  [operator: string]: JsonValue | ChoiceRule | ChoiceRule[] | undefined;
}

export interface ChoiceState extends BaseState {
  Type: 'Choice';
  Choices: ChoiceRule[];
  Default?: string;
}

export type State = TaskState | PassState | WaitState | SucceedState | FailState | ChoiceState;

export interface StateMachineDefinition {
  Comment?: string;
  StartAt: string;
  States: Record<string, State>;
  TimeoutSeconds?: number;
  QueryLanguage?: string;
  Version?: string;
}
