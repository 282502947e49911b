// Dataset notes and descriptions are Markdown written by agencies (and by harvested catalogues we do
// not control). Raw HTML is off, images are off (the Content-Security-Policy would block remote
// ones anyway), and only http(s), mailto and same-site links survive: "javascript:" and every other
// scheme becomes plain text. Links get rel="nofollow ugc noopener".
import MarkdownIt from 'markdown-it';

const SAFE_LINK = /^(?:https?:|mailto:|\/(?!\/)|#|\.{0,2}\/|[^:/?#]*(?:[/?#]|$))/i;

export function createMarkdown(): (text: unknown) => string {
  const md = new MarkdownIt({ html: false, linkify: true, typographer: false, breaks: false });
  md.disable(['image']);
  md.validateLink = (url: string) => {
    const trimmed = url.trim();
    // Control characters and whitespace inside a scheme can smuggle "java\tscript:".
    if (/[\u0000-\u001f\u007f]/.test(trimmed)) return false;
    return SAFE_LINK.test(trimmed);
  };
  const defaultOpen = md.renderer.rules.link_open ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
  md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
    const token = tokens[idx];
    const href = String(token.attrGet('href') ?? '');
    if (/^(?:https?:)?\/\//i.test(href)) token.attrSet('rel', 'nofollow ugc noopener');
    return defaultOpen(tokens, idx, options, env, self);
  };
  // Headings inside notes start at level 3: the page owns h1 and h2.
  md.core.ruler.push('demote_headings', (state) => {
    for (const token of state.tokens) {
      if (token.type === 'heading_open' || token.type === 'heading_close') {
        const level = Math.min(6, Number(token.tag.slice(1)) + 2);
        token.tag = `h${level}`;
      }
    }
    return true;
  });
  return (text: unknown) => (typeof text === 'string' && text.trim() ? md.render(text) : '');
}

/** Markdown reduced to plain text for result snippets (no markup, at most `max` characters). */
export function plainSnippet(text: unknown, max = 220): string {
  if (typeof text !== 'string') return '';
  const plain = text
    .replace(/```[\s\S]*?```/g, ' ')
    .replace(/!\[[^\]]*\]\([^)]*\)/g, ' ')
    .replace(/\[([^\]]*)\]\((?:[^()\s]|\([^()]*\))*\)/g, '$1')
    .replace(/<[^>]*>/g, ' ')
    .replace(/^\s{0,3}(?:#{1,6}|>|[-*+]|\d+[.)])\s+/gm, '')
    .replace(/(\*\*|__|~~|`)/g, '')
    .replace(/(^|\s)[*_](\S)/g, '$1$2')
    .replace(/(\S)[*_](\s|$)/g, '$1$2')
    .replace(/\|/g, ' ')
    .replace(/^\s*[-=]{3,}\s*$/gm, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if ([...plain].length <= max) return plain;
  return [...plain].slice(0, max).join('').replace(/\s+\S*$/, '') + '…';
}
