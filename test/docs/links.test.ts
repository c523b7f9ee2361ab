import { describe, expect, it } from 'vitest';
import { anchorsOf, brokenLinks, documentationFiles, githubSlug, linkTargets } from './markdown-links.js';

describe('the documentation links', () => {
  it.each(documentationFiles())('every relative link in %s resolves to a file, folder or heading', (file) => {
    expect(brokenLinks(file)).toEqual([]);
  });

  it('checks the README, CONTRIBUTING and every page of docs/', () => {
    expect(documentationFiles()).toEqual(expect.arrayContaining(['README.md', 'CONTRIBUTING.md', 'docs/upstream.md', 'docs/decisions/README.md']));
  });
});

describe('the link checker', () => {
  it('reports a missing file, a missing folder, a missing anchor and a link out of the repository', () => {
    const markdown = [
      '# Page',
      '[gone](docs/no-such-page.md) [folder](no-such-folder/) [anchor](README.md#no-such-heading)',
      '[here](#nowhere) [up](../elsewhere.md) [built](dist/src/index.js) [fine](README.md#quick-start) [self](#page)',
      '[web](https://example.com/x.md) <https://example.com>',
    ].join('\n');

    expect(brokenLinks('README.md', markdown)).toEqual([
      'docs/no-such-page.md (no such file)',
      'no-such-folder/ (no such file)',
      'README.md#no-such-heading (no such anchor)',
      '#nowhere (no such anchor)',
      '../elsewhere.md (outside the repository)',
      'dist/src/index.js (outside the repository)',
    ]);
  });

  it('resolves links from the folder of the page that holds them', () => {
    expect(brokenLinks('docs/page.md', '[up](../README.md#quick-start) [beside](upstream.md#tokens) [wrong](README.md)')).toEqual([
      'README.md (no such file)',
    ]);
  });

  it('ignores links written inside code', () => {
    const markdown = ['```md', '[a](missing.md)', '```', 'Inline: `[b](missing.md)`.', '    ~~~', '[c](missing.md)', '    ~~~'].join('\n');

    expect(linkTargets(markdown)).toEqual([]);
  });

  it('finds link definitions, images and links whose text holds code or brackets', () => {
    const markdown = ['[`src/`](src/) ![logo](logo.png) [a [nested] text](a.md "title")', '[ref]: b.md#part'].join('\n');

    expect(linkTargets(markdown)).toEqual(['src/', 'logo.png', 'a.md', 'b.md#part']);
  });

  it.each([
    ['Client addresses: `GATEWAY_TRUST_PROXY`', 'client-addresses-gateway_trust_proxy'],
    ["profile.ts: where a request's CPU goes", 'profilets-where-a-requests-cpu-goes'],
    ['Reading results.md', 'reading-resultsmd'],
    ['What `npm run bench` runs', 'what-npm-run-bench-runs'],
    ['Threats & controls', 'threats--controls'],
    ['[Linked](x.md) heading', 'linked-heading'],
    ['Über Größe', 'über-größe'],
  ])('slugs the heading "%s" as GitHub does: %s', (heading, slug) => {
    expect(githubSlug(heading)).toBe(slug);
  });

  it('numbers repeated headings as GitHub does, and takes HTML anchors', () => {
    const markdown = ['# Setup', '## Setup', '### Setup ###', '```', '# not a heading', '```', '<a id="custom"></a>'].join('\n');

    expect([...anchorsOf(markdown)]).toEqual(['setup', 'setup-1', 'setup-2', 'custom']);
  });
});
