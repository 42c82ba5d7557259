import { describe, expect, it } from 'vitest';
import { checkPayout, checkShares, minorUnits, money } from './ledger';

describe('split total check', () => {
  it('accepts shares that total exactly 100 with up to 4 decimals', () => {
    const c = checkShares([
      { payee_id: 'a', percent: '33.3333' },
      { payee_id: 'b', percent: '33.3333' },
      { payee_id: 'c', percent: '33.3334' },
    ]);
    expect(c).toEqual({ total: '100', remainder: '0', problems: [null, null, null], ok: true });
  });

  it('shows the remainder when under or over 100', () => {
    const under = checkShares([
      { payee_id: 'a', percent: '60' },
      { payee_id: 'b', percent: '39.9999' },
    ]);
    expect(under.ok).toBe(false);
    expect(under.total).toBe('99.9999');
    expect(under.remainder).toBe('0.0001');
    const over = checkShares([
      { payee_id: 'a', percent: '60' },
      { payee_id: 'b', percent: '41' },
    ]);
    expect(over.remainder).toBe('-1');
    expect(over.ok).toBe(false);
  });

  it('flags each bad row', () => {
    const c = checkShares([
      { payee_id: 'a', percent: '50.00001' },
      { payee_id: 'a', percent: '10' },
      { payee_id: '', percent: '10' },
      { payee_id: 'd', percent: '0' },
      { payee_id: 'e', percent: 'abc' },
      { payee_id: 'f', percent: '' },
      { payee_id: 'g', percent: '101' },
    ]);
    expect(c.problems).toEqual(['too_precise', 'duplicate', 'no_payee', 'out_of_range', 'not_a_number', 'empty', 'out_of_range']);
    expect(c.ok).toBe(false);
  });

  it('is exact where floats are not (0.1 + 0.2 style)', () => {
    const c = checkShares([
      { payee_id: 'a', percent: '0.1' },
      { payee_id: 'b', percent: '0.2' },
      { payee_id: 'c', percent: '99.7' },
    ]);
    expect(c.ok).toBe(true);
  });

  it('needs at least one row', () => {
    expect(checkShares([]).ok).toBe(false);
  });
});

describe('payout check', () => {
  it('defaults are fine up to the payable amount', () => {
    expect(checkPayout('30.40', '30.40', 'USD')).toBeNull();
    expect(checkPayout('30.41', '30.40', 'USD')).toBe('exceeds_payable');
    expect(checkPayout('0', '30.40', 'USD')).toBe('not_positive');
    expect(checkPayout('', '30.40', 'USD')).toBe('empty');
    expect(checkPayout('1,5', '30.40', 'USD')).toBe('not_a_number');
    expect(checkPayout('1.005', '30.40', 'USD')).toBe('too_precise');
    expect(checkPayout('1.50', '3000', 'JPY')).toBe('too_precise');
    expect(checkPayout('1.00', '3000', 'JPY')).toBeNull();
  });

  it('shows money with the currency minor units', () => {
    expect(minorUnits('JPY')).toBe(0);
    expect(money('1500', 'JPY')).toBe('1,500 JPY');
    expect(money('12.3', 'USD')).toBe('12.30 USD');
  });
});
