import { styleText } from 'node:util';

type Style = Parameters<typeof styleText>[0];

/** Colours for a terminal; plain text when piped, or with NO_COLOR set. */
export function painter(stream: NodeJS.WriteStream = process.stdout): (style: Style, text: string) => string {
  const colour = (stream.isTTY && !process.env.NO_COLOR) || Boolean(process.env.FORCE_COLOR);
  return (style, text) => (colour ? styleText(style, text) : text);
}
