/** The calculator's errors: one base class, one subclass per cause. */

export class CalculatorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CalculatorError';
  }
}

/** A missing or non-numeric operand. */
export class InvalidInputError extends CalculatorError {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidInputError';
  }
}

export class DivisionByZeroError extends CalculatorError {
  constructor() {
    super('y must not be 0: division by zero');
    this.name = 'DivisionByZeroError';
  }
}
