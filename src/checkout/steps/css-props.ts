import { noChange } from 'lit';
import { Directive, directive, type ElementPart, type PartInfo, PartType } from 'lit/directive.js';

/**
 * Sets CSS custom properties on an element through the CSSOM (`style.setProperty`), on every
 * render including the first. Lit's `styleMap` writes a `style` attribute on first render, and
 * a host page whose Content-Security-Policy has `style-src 'self'` (no `'unsafe-inline'`, which
 * the element promises not to need) refuses every inline style attribute; the CSSOM is allowed.
 *
 *     html`<span ${cssProps({ '--swatch': colour })}></span>`
 */
class CssProps extends Directive {
  private previous: string[] = [];

  constructor(part: PartInfo) {
    super(part);
    if (part.type !== PartType.ELEMENT) throw new Error('cssProps() goes on an element');
  }

  render(_props: Record<string, string>) {
    return noChange;
  }

  override update(part: ElementPart, [props]: [Record<string, string>]) {
    const { style } = part.element as HTMLElement;
    for (const name of this.previous) if (!Object.hasOwn(props, name)) style.removeProperty(name);
    for (const [name, value] of Object.entries(props)) style.setProperty(name, value);
    this.previous = Object.keys(props);
    return noChange;
  }
}

export const cssProps = directive(CssProps);
