import { headerTitle } from './header-title';

describe('headerTitle', () => {
  it('upper-cases and turns underscores into spaces', () => {
    expect(headerTitle('NAME')).toBe('NAME');
    expect(headerTitle('failure_domain')).toBe('FAILURE DOMAIN');
    expect(headerTitle('Server name')).toBe('SERVER NAME');
  });

  it('turns dots between words into spaces but keeps a dot inside a number', () => {
    expect(headerTitle('config.key')).toBe('CONFIG KEY');
    expect(headerTitle('v.5')).toBe('V 5');
    expect(headerTitle('v1.5')).toBe('V1.5');
    expect(headerTitle('1.5')).toBe('1.5');
    expect(headerTitle('size 1.5 GB')).toBe('SIZE 1.5 GB');
  });

  it('trims, keeping one space of a blank header', () => {
    expect(headerTitle('  name_ ')).toBe('NAME');
    expect(headerTitle('   ')).toBe(' ');
    expect(headerTitle('')).toBe('');
  });
});
