// votecode.test.mjs - the browser's reading of vote codes agrees with the C
// code (notices/code.c): codes made by votectl are accepted however they are
// typed, and every single wrong symbol and every swap of two different
// symbols is caught before anything is sent.
import test from 'node:test';
import assert from 'node:assert/strict';
import { codeParse } from '../../votesrv/portal/js/votecode.mjs';

// Made by notices/code.c (votectl credentials --demo).
const MADE_BY_C = ['RH5J-SP0J-KX4Y-61ZY-JABZ-EBWN-ZQN8', 'BA2Y-9WKQ-7JN1-EBH2-GCF8-Z2T4-AX3N',
  'C6N8-ADTY-AH22-DJFK-6K1E-7DKV-15XC'];
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

test('codes made by the C side are accepted, typed loosely', () => {
  for (const shown of MADE_BY_C) {
    const canonical = shown.replaceAll('-', '');
    assert.deepEqual(codeParse(shown), { status: 'ok', code: canonical });
    assert.deepEqual(codeParse(` ${shown.toLowerCase().replaceAll('-', ' ')} `),
      { status: 'ok', code: canonical });
    assert.deepEqual(codeParse(shown.replaceAll('0', 'o').replaceAll('1', 'l')),
      { status: 'ok', code: canonical });
  }
});

test('every single wrong symbol and every swap is a typo', () => {
  const c = MADE_BY_C[0].replaceAll('-', '');
  for (let i = 0; i < c.length; i++) {
    for (const s of ALPHABET) {
      if (s === c[i]) continue;
      assert.equal(codeParse(c.slice(0, i) + s + c.slice(i + 1)).status, 'typo');
    }
    for (let j = i + 1; j < c.length; j++) {
      if (c[i] === c[j]) continue;
      const t = [...c];
      [t[i], t[j]] = [t[j], t[i]];
      assert.equal(codeParse(t.join('')).status, 'typo');
    }
  }
});

test('what is not a code says so', () => {
  for (const bad of ['', 'ABCD-EFGH', MADE_BY_C[0] + 'A', MADE_BY_C[0].replace('R', 'U'), 'é'.repeat(28)])
    assert.equal(codeParse(bad).status, 'form');
});
