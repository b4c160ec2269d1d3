import { compileHtml, escapeHtml, isSafeUrlStart, renderHtmlValue, urlScheme, type HtmlPlaceholder } from './html-context';

function contexts(html: string) {
  const compiled = compileHtml(html);
  return {
    problems: compiled.problems,
    contexts: compiled.parts.filter((p): p is HtmlPlaceholder => p.kind === 'placeholder').map((p) => [p.name, p.context]),
  };
}

describe('compileHtml contexts', () => {
  it('finds text placeholders', () => {
    expect(contexts('<p>Hi {{name}}</p>')).toEqual({ problems: [], contexts: [['name', { kind: 'text' }]] });
  });

  it('finds placeholders in quoted attribute values', () => {
    expect(contexts(`<img alt="{{a}}" title='x {{b}}'>`).contexts).toEqual([
      ['a', { kind: 'attribute', attribute: 'alt' }],
      ['b', { kind: 'attribute', attribute: 'title' }],
    ]);
  });

  it('tells the start of a URL from a place inside it', () => {
    expect(contexts('<a href="{{link}}">x</a><a HREF=" https://x.test/u/{{id}}?q={{q}}">y</a><img src="{{a}}{{b}}">').contexts).toEqual([
      ['link', { kind: 'url', attribute: 'href', position: 'start' }],
      ['id', { kind: 'url', attribute: 'href', position: 'inside' }],
      ['q', { kind: 'url', attribute: 'href', position: 'inside' }],
      ['a', { kind: 'url', attribute: 'src', position: 'start' }],
      ['b', { kind: 'url', attribute: 'src', position: 'inside' }],
    ]);
  });

  it('treats a comment as text and keeps tokenizing Outlook conditional comments', () => {
    expect(contexts('<!-- {{a}} --><!--[if mso]><v:roundrect href="{{b}}"></v:roundrect><![endif]--><p>{{c}}</p>').contexts).toEqual([
      ['a', { kind: 'text' }],
      ['b', { kind: 'url', attribute: 'href', position: 'start' }],
      ['c', { kind: 'text' }],
    ]);
  });

  it('goes back to text after a script or style element ends', () => {
    expect(contexts('<script>var a = 1;</script><p>{{x}}</p><style>p{color:red}</STYLE>{{y}}')).toEqual({
      problems: [],
      contexts: [
        ['x', { kind: 'text' }],
        ['y', { kind: 'text' }],
      ],
    });
  });

  it.each([
    ['<script>var name = "{{name}}";</script>', '{{name}} cannot be placed inside <script>: its content cannot be escaped'],
    ['<style>.a { color: {{color}} }</style>', '{{color}} cannot be placed inside <style>: its content cannot be escaped'],
    ['<a onclick="go(\'{{id}}\')">x</a>', '{{id}} cannot be placed in the onclick event handler'],
    ['<p style="color: {{c}}">x</p>', '{{c}} cannot be placed in the style attribute'],
    ['<iframe srcdoc="{{doc}}"></iframe>', '{{doc}} cannot be placed in the srcdoc attribute'],
    ['<a href={{url}}>x</a>', '{{url}} cannot be placed in the unquoted value of href: put the value in quotes'],
    ['<{{tag}}>', '{{tag}} cannot be placed inside a tag name'],
    ['<p>a</{{tag}}>', '{{tag}} cannot be placed inside a tag name'],
    ['<p{{x}}>', '{{x}} cannot be placed inside a tag name'],
    ['<p {{attr}}="1">', '{{attr}} cannot be placed as an attribute name'],
    ['<!DOCTYPE {{x}}>', '{{x}} cannot be placed inside a <! … > declaration'],
  ])('refuses %s', (html, problem) => {
    expect(compileHtml(html).problems).toEqual([problem]);
  });

  it('reports malformed placeholders', () => {
    expect(compileHtml('<p>{{1}}</p>').problems).toHaveLength(1);
  });
});

describe('escapeHtml', () => {
  it('escapes every character that could open a tag or leave an attribute', () => {
    expect(escapeHtml(`<script>alert("x" + 'y' + \`z\`) & co</script>`)).toBe(
      '&lt;script&gt;alert(&quot;x&quot; + &#39;y&#39; + &#96;z&#96;) &amp; co&lt;/script&gt;',
    );
  });
});

describe('URL safety', () => {
  it.each([
    ['https://example.test/a', true],
    ['http://example.test', true],
    ['mailto:ann@example.test', true],
    ['tel:+14155550100', true],
    ['/relative/path?x=1', true],
    ['//cdn.example.test/a.png', true],
    ['javascript:alert(1)', false],
    ['JavaScript:alert(1)', false],
    [' javascript:alert(1)', false],
    ['java\tscript:alert(1)', false],
    ['java\nscript:alert(1)', false],
    ['\u0001javascript:alert(1)', false],
    ['data:text/html;base64,PHNjcmlwdD4=', false],
    ['vbscript:msgbox(1)', false],
  ])('%j is safe at the start of a URL: %s', (value, safe) => {
    expect(isSafeUrlStart(value)).toBe(safe);
  });

  it('reads the scheme a browser would see', () => {
    expect(urlScheme(' \tJaVa\nScRiPt:x')).toBe('javascript');
    expect(urlScheme('page.html')).toBeNull();
  });
});

describe('renderHtmlValue', () => {
  it('escapes text', () => {
    expect(renderHtmlValue({ kind: 'text' }, '<b>"hi"</b>')).toEqual({ ok: true, html: '&lt;b&gt;&quot;hi&quot;&lt;/b&gt;' });
  });

  it('keeps a value inside its attribute', () => {
    expect(renderHtmlValue({ kind: 'attribute', attribute: 'alt' }, '" onerror="alert(1)')).toEqual({
      ok: true,
      html: '&quot; onerror=&quot;alert(1)',
    });
  });

  it('refuses a javascript: URL at the start of href', () => {
    expect(renderHtmlValue({ kind: 'url', attribute: 'href', position: 'start' }, 'javascript:alert(1)')).toEqual({
      ok: false,
      reason: 'href needs an http, https, mailto or tel URL (or a relative one)',
    });
  });

  it('escapes a safe URL at the start of href', () => {
    expect(renderHtmlValue({ kind: 'url', attribute: 'href', position: 'start' }, 'https://x.test/?a=1&b="2"')).toEqual({
      ok: true,
      html: 'https://x.test/?a=1&amp;b=&quot;2&quot;',
    });
  });

  it('percent-encodes a value inside a URL', () => {
    expect(renderHtmlValue({ kind: 'url', attribute: 'href', position: 'inside' }, 'a b&c=d/"e"')).toEqual({
      ok: true,
      html: 'a%20b%26c%3Dd%2F%22e%22',
    });
    expect(renderHtmlValue({ kind: 'url', attribute: 'href', position: 'inside' }, 'javascript:alert(1)')).toEqual({
      ok: true,
      html: 'javascript%3Aalert(1)',
    });
  });

  it('refuses a value that cannot be percent-encoded', () => {
    expect(renderHtmlValue({ kind: 'url', attribute: 'href', position: 'inside' }, '\ud800').ok).toBe(false);
  });
});
