import { describe, it } from 'mocha';
import { expect } from 'chai';
import { escapeHtml, html } from '../../../src/http/views/escape-html.js';

describe('escapeHtml', () => {
  it('escapes the characters that can open a tag, an entity or an attribute', () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&\`</a>`)).to.equal('&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&#96;&lt;/a&gt;');
  });

  it('leaves ordinary text alone', () => {
    expect(escapeHtml('Zoë Ångström 42')).to.equal('Zoë Ångström 42');
  });
});

describe('html', () => {
  it('escapes interpolated text but not nested fragments', () => {
    const inner = html`<b>${'<i>'}</b>`;
    expect(html`<p title="${'"x"'}">${inner}${[html`<br>`, html`<hr>`]}${undefined}${7}</p>`.value)
      .to.equal('<p title="&quot;x&quot;"><b>&lt;i&gt;</b><br><hr>7</p>');
  });
});
