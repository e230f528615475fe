import { describe, expect, it } from 'vitest';
import { href, parseRoute } from '../../src/routing';

describe('routing', () => {
  it('round-trips every route through its href', () => {
    expect(parseRoute(href.list())).toEqual({ kind: 'list', q: '', offset: 0 });
    expect(parseRoute(href.list('le guin & co', 20))).toEqual({ kind: 'list', q: 'le guin & co', offset: 20 });
    expect(parseRoute(href.new())).toEqual({ kind: 'new' });
    expect(parseRoute(href.view('a/b c'))).toEqual({ kind: 'view', id: 'a/b c' });
    expect(parseRoute(href.edit('42'))).toEqual({ kind: 'edit', id: '42' });
  });

  it('treats an empty hash as the list and nonsense as not found', () => {
    expect(parseRoute('')).toEqual({ kind: 'list', q: '', offset: 0 });
    expect(parseRoute('#/?offset=-5')).toEqual({ kind: 'list', q: '', offset: 0 });
    expect(parseRoute('#/?offset=abc')).toEqual({ kind: 'list', q: '', offset: 0 });
    expect(parseRoute('#/elsewhere')).toEqual({ kind: 'notFound' });
    expect(parseRoute('#/books/%E0%A4%A')).toEqual({ kind: 'notFound' });
  });
});
