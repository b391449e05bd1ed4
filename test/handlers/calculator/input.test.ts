import { describe, expect, it } from 'vitest';
import { DivisionByZeroError, InvalidInputError } from '../../../handlers/calculator/errors';
import { divide, parseInput } from '../../../handlers/calculator/input';
import { loadEvent } from '../../support/events';

describe('parseInput', () => {
  it('reads the example event', () => {
    expect(parseInput(loadEvent('calculator.json'))).toEqual({ x: 10, y: 2 });
  });

  it.each([
    ['a missing x', { y: 2 }, /x is required/],
    ['a missing y', { x: 10 }, /y is required/],
    ['a null y', { x: 10, y: null }, /y is required/],
    ['a string x', { x: '10', y: 2 }, /x must be a finite number, got string "10"/],
    ['a boolean y', { x: 1, y: true }, /y must be a finite number, got boolean true/],
    ['NaN', { x: Number.NaN, y: 1 }, /x must be a finite number, got NaN/],
    ['Infinity', { x: 1, y: Number.POSITIVE_INFINITY }, /y must be a finite number, got Infinity/],
    ['an array', [10, 2], /expected an object/],
    ['null', null, /expected an object/],
  ])('refuses %s', (_, event, message) => {
    expect(() => parseInput(event)).toThrow(InvalidInputError);
    expect(() => parseInput(event)).toThrow(message);
  });
});

describe('divide', () => {
  it.each([
    [10, 2, 5],
    [1, 4, 0.25],
    [-9, 3, -3],
    [0, 5, 0],
  ])('%d / %d = %d', (x, y, result) => {
    expect(divide({ x, y })).toBe(result);
  });

  it('refuses y = 0', () => {
    expect(() => divide({ x: 10, y: 0 })).toThrow(DivisionByZeroError);
  });
});
