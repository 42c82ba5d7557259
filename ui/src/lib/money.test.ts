import { describe, expect, it } from 'vitest';
import { compareAmounts, formatAmount, roundAmount, sumAmounts, toChartNumber } from './money';

describe('money', () => {
  it('sums decimal strings exactly, at the largest precision', () => {
    expect(sumAmounts(['0.1', '0.2'])).toBe('0.3');
    expect(sumAmounts(['0.0123456789', '1000.5', '-0.5'])).toBe('1000.0123456789');
    expect(sumAmounts(['99999999999999999999.99', '0.01'])).toBe('100000000000000000000.00');
    expect(sumAmounts([])).toBe('0');
  });

  it('rounds half away from zero without floats', () => {
    expect(roundAmount('1.005')).toBe('1.01');
    expect(roundAmount('-1.005')).toBe('-1.01');
    expect(roundAmount('2.675')).toBe('2.68');
    expect(roundAmount('0.004')).toBe('0.00');
    expect(roundAmount('-0.004')).toBe('0.00');
    expect(roundAmount('7')).toBe('7.00');
    expect(roundAmount('0.123456789', 4)).toBe('0.1235');
  });

  it('compares exactly', () => {
    expect(compareAmounts('0.30', '0.3')).toBe(0);
    expect(compareAmounts('-1', '0.0000000001')).toBe(-1);
    expect(compareAmounts('10', '9.999999999999')).toBe(1);
  });

  it('formats with grouping in the locale, with the currency code', () => {
    expect(formatAmount('1234567.891', 'USD')).toBe('1,234,567.89 USD');
    expect(formatAmount('-0.5', 'EUR')).toBe('−0.50 EUR');
    expect(formatAmount('1234.5', '', 'de')).toBe('1.234,50');
    expect(formatAmount('12345678901234567890.125', 'CNY', 'zh-CN')).toBe('12,345,678,901,234,567,890.13 CNY');
  });

  it('gives charts a number for drawing', () => {
    expect(toChartNumber('68.761862')).toBeCloseTo(68.761862);
  });
});
