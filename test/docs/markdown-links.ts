import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root folder. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** README.md, CONTRIBUTING.md and every Markdown file under docs/, relative to the root. */
export function documentationFiles(): string[] {
  const docs = readdirSync(join(ROOT, 'docs'), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.md'))
    .map((file) => join('docs', file).split(sep).join('/'));
  return ['README.md', 'CONTRIBUTING.md', ...docs.sort()];
}

// Fenced code blocks, then inline code spans: a link written inside either is an example, not
// a link. Each is blanked, so that nothing around it joins up.
function withoutFences(markdown: string): string {
  let fence: string | undefined;
  return markdown
    .split('\n')
    .map((line) => {
      const marker = /^\s*(`{3,}|~{3,})(.*)$/.exec(line);
      if (fence === undefined) {
        if (marker !== null) fence = marker[1];
        return marker === null ? line : '';
      }
      const closes = marker?.[1] !== undefined && marker[1][0] === fence[0] && marker[1].length >= fence.length && marker[2]?.trim() === '';
      if (closes) fence = undefined;
      return '';
    })
    .join('\n');
}
const CODE_SPAN = /(`+)(?!`)[\s\S]*?(?<!`)\1(?!`)/g;
const withoutCode = (markdown: string) => withoutFences(markdown).replace(CODE_SPAN, (span) => span.replace(/[^\n]/g, ' '));

/**
 * The slug GitHub gives a heading (github-slugger's rule): the heading's text, lower-cased, with
 * everything but letters, digits, marks, `_`, `-` and spaces removed, and each space made a `-`.
 */
export function githubSlug(heading: string): string {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // a link or image: its text
    .replace(/<[^>]+>/g, '') // inline HTML
    .replace(/`/g, '') // code spans keep their text
    .trim()
    .toLowerCase();
  return text.replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '').replace(/ /g, '-');
}

/** Every anchor a Markdown file offers: its headings' slugs (repeats numbered as GitHub does) and HTML ids. */
export function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  const text = withoutFences(markdown);
  for (const [, heading] of text.matchAll(/^ {0,3}#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$/gm)) {
    const slug = githubSlug(heading ?? '');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  for (const [, id] of text.matchAll(/<a\s[^>]*?(?:id|name)="([^"]+)"/g)) anchors.add(id ?? '');
  return anchors;
}

/** The targets of a Markdown text's inline links, images and link definitions, code excluded. */
export function linkTargets(markdown: string): string[] {
  const text = withoutCode(markdown);
  const inline = [...text.matchAll(/!?\[(?:[^\][]|\[[^\]]*\])*\]\(\s*<?([^)\s>]*)>?(?:\s+"[^"]*")?\s*\)/g)].map((match) => match[1] ?? '');
  const definitions = [...text.matchAll(/^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/gm)].map((match) => match[1] ?? '');
  return [...inline, ...definitions];
}

// Folders git ignores (`dist/`, `node_modules/`…) exist on a working machine but not in a clone:
// a link into one is broken for every reader.
const ignoredFolders = () =>
  readFileSync(join(ROOT, '.gitignore'), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.endsWith('/') && !line.startsWith('#') && !line.startsWith('!'))
    .map((line) => line.replace(/^\//, ''));

const isExternal = (target: string) => /^[a-z][a-z\d+.-]*:/i.test(target) || target.startsWith('//');

/**
 * The relative links of `file` (relative to the root) that do not resolve: a file or folder that
 * does not exist in the repository, or a `#anchor` that the target Markdown does not define.
 * `markdown` defaults to the file's content.
 */
export function brokenLinks(file: string, markdown = readFileSync(join(ROOT, file), 'utf8')): string[] {
  const ignored = ignoredFolders();
  const broken: string[] = [];
  for (const target of linkTargets(markdown)) {
    if (target === '' || isExternal(target)) continue;
    const hash = target.indexOf('#');
    const path = decodeURIComponent(hash === -1 ? target : target.slice(0, hash));
    const anchor = hash === -1 ? undefined : decodeURIComponent(target.slice(hash + 1));
    const absolute = path === '' ? join(ROOT, file) : resolve(dirname(join(ROOT, file)), path);
    const inRepository = relative(ROOT, absolute).split(sep).join('/');
    if (inRepository.startsWith('../') || ignored.some((folder) => `${inRepository}/`.startsWith(folder))) {
      broken.push(`${target} (outside the repository)`);
      continue;
    }
    if (!existsSync(absolute)) {
      broken.push(`${target} (no such file)`);
      continue;
    }
    if (path.endsWith('/') && !statSync(absolute).isDirectory()) {
      broken.push(`${target} (not a folder)`);
      continue;
    }
    if (anchor === undefined) continue;
    if (!absolute.endsWith('.md')) {
      broken.push(`${target} (an anchor into a file that is not Markdown)`);
      continue;
    }
    const content = path === '' ? markdown : readFileSync(absolute, 'utf8');
    if (!anchorsOf(content).has(anchor)) broken.push(`${target} (no such anchor)`);
  }
  return broken;
}
