/** The calculator's input and arithmetic, pure. */

import { DivisionByZeroError, InvalidInputError } from './errors';

export interface CalculatorInput {
  readonly x: number;
  readonly y: number;
}

function operand(event: Record<string, unknown>, name: 'x' | 'y'): number {
  if (!(name in event) || event[name] === undefined || event[name] === null) throw new InvalidInputError(`${name} is required`);
  const value = event[name];
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new InvalidInputError(
      `${name} must be a finite number, got ${typeof value === 'number' ? String(value) : `${typeof value} ${JSON.stringify(value)}`}`,
    );
  return value;
}

/** Validate `{"x": <number>, "y": <number>}`. */
export function parseInput(event: unknown): CalculatorInput {
  if (typeof event !== 'object' || event === null || Array.isArray(event))
    throw new InvalidInputError('expected an object such as {"x": 10, "y": 2}');
  const record = event as Record<string, unknown>;
  return { x: operand(record, 'x'), y: operand(record, 'y') };
}

export function divide({ x, y }: CalculatorInput): number {
  if (y === 0) throw new DivisionByZeroError();
  return x / y;
}
