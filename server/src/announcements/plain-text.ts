/**
 * The text of a news entry as plain text, whatever the attribute type: messages (WhatsApp,
 * Telegram, e-mail text part, feed) must not show Markdown markup or `[object Object]`.
 */

interface BlockNode {
  type?: string;
  text?: string;
  url?: string;
  level?: number;
  format?: string;
  image?: { alternativeText?: string | null };
  children?: BlockNode[];
}

const inlineText = (nodes: BlockNode[] | undefined): string =>
  (nodes ?? []).map((node) => (typeof node.text === 'string' ? node.text : inlineText(node.children))).join('');

/** Strapi's `blocks` attribute (JSON): paragraphs, headings, lists, quotes, code, images. */
export function blocksToPlainText(blocks: unknown): string {
  if (!Array.isArray(blocks)) return '';
  const paragraphs = (blocks as BlockNode[]).map((block) => {
    if (block.type === 'list') {
      return (block.children ?? [])
        .map((item, index) => `${block.format === 'ordered' ? `${index + 1}.` : '-'} ${inlineText(item.children)}`)
        .join('\n');
    }
    if (block.type === 'image') return block.image?.alternativeText ?? '';
    return inlineText(block.children);
  });
  return paragraphs.map((text) => text.trim()).filter(Boolean).join('\n\n');
}

/** Markdown (Strapi's `richtext`) as the text a reader sees: no markers, links as their text. */
export function markdownToPlainText(markdown: string): string {
  return markdown
    .replace(/\r\n?/g, '\n')
    .replace(/^```[^\n]*\n([\s\S]*?)^```[ \t]*$/gm, '$1') // fenced code: keep the code
    .replace(/<[^>\n]+>/g, '') // inline HTML tags
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1') // images: their alt text
    .replace(/\[([^\]]+)\]\([^)]*\)/g, '$1') // links: their text
    .replace(/^ {0,3}#{1,6}[ \t]+(.*?)[ \t#]*$/gm, '$1') // ATX headings
    .replace(/^ {0,3}(?:[-*_][ \t]*){3,}$/gm, '') // thematic breaks
    .replace(/^ {0,3}>[ \t]?/gm, '') // block quotes
    .replace(/^([ \t]*)[*+][ \t]+/gm, '$1- ') // bullets as "- "
    .replace(/(\*\*|__)(?=\S)([\s\S]*?\S)\1/g, '$2') // bold
    .replace(/(^|[^\w*])([*_])(?=\S)([^*_\n]*?\S)\2(?!\w)/g, '$1$3') // italic
    .replace(/~~(?=\S)([\s\S]*?\S)~~/g, '$1') // strikethrough
    .replace(/`([^`\n]+)`/g, '$1') // inline code
    .replace(/\\([\\`*_{}[\]()#+\-.!>~|])/g, '$1') // escapes
    .replace(/[ \t]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** Plain text of an entry's value for the attribute type the mapping points at. */
export function plainTextOf(value: unknown, attributeType: string | undefined): string {
  if (value === null || value === undefined) return '';
  if (attributeType === 'blocks' || Array.isArray(value)) return blocksToPlainText(value);
  if (attributeType === 'richtext') return markdownToPlainText(String(value));
  if (typeof value === 'object') return '';
  return String(value);
}
