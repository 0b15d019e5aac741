import { html, nothing } from 'lit';
import { live } from 'lit/directives/live.js';
import type { Product } from '../../internal/types.ts';
import { optionValue, unavailability } from '../machine.ts';
import type { StepContext } from './context.ts';
import { cssProps } from './css-props.ts';

type ProductOption = Product['options'][number];

/** Options whose values are colours, shown as swatches (the name is always shown too). */
const COLOUR_OPTION = /^(colou?rs?|couleur|farbe|اللون|لون|الألوان)$/i;

/** Names that CSS does not know (or knows as something else), as sellers tend to use them. */
const COLOURS: Record<string, string> = {
  sand: '#d8c3a0',
  natural: '#efe6d2',
  ocean: '#1f6f9f',
  charcoal: '#36454f',
  cream: '#f4ecd8',
  stone: '#a8a29e',
  forest: '#2e5e3a',
  heather: '#9e9ea8',
  grey: '#888888',
  gray: '#888888',
  أسود: '#111111',
  أبيض: '#ffffff',
  أحمر: '#c62828',
  أزرق: '#1d4ed8',
  أخضر: '#2e7d32',
  رمادي: '#888888',
};

/** The CSS colour of a swatch: the map, else the name itself if CSS knows it, else none. */
export function swatchColour(value: string): string | null {
  // Own names only: a value called `constructor` is not a colour.
  const name = value.toLowerCase();
  const known = Object.hasOwn(COLOURS, name) ? COLOURS[name] : undefined;
  if (known) return known;
  const css = value.toLowerCase().replace(/\s+/g, '');
  return typeof CSS !== 'undefined' && CSS.supports('color', css) ? css : null;
}

/**
 * One option as a radio group: native radios give arrow keys, one tab stop and the checked
 * state for free. A value that cannot be chosen is disabled and says why, in words.
 */
export function renderOption(ctx: StepContext, option: ProductOption, index: number) {
  const { t } = ctx.i18n;
  const { selection, busy } = ctx.state;
  const swatches = COLOUR_OPTION.test(option.name.trim());
  const legendId = `opt-${index}-name`;
  return html`<fieldset
    part="option"
    class=${swatches ? 'option swatches' : 'option'}
    role="radiogroup"
    aria-labelledby=${legendId}
  >
    <legend>
      <span id=${legendId}>${option.name}</span>:
      <strong aria-hidden="true">${optionValue(selection.options, option.name) ?? ''}</strong>
    </legend>
    <div class="choices">
      ${option.values.map((value, v) => {
        const why = unavailability(ctx.product, selection.options, index, value);
        const reason =
          why === 'sold-out' ? t.optionSoldOut : why === 'not-made' ? t.optionNotMade : '';
        const id = `opt-${index}-${v}`;
        const colour = swatches ? swatchColour(value) : null;
        return html`<span class="choice">
          <input
            type="radio"
            id=${id}
            name=${`option-${index}`}
            .value=${value}
            .checked=${live(optionValue(selection.options, option.name) === value)}
            ?disabled=${why !== null}
            aria-disabled=${busy ? 'true' : nothing}
            @change=${() => ctx.actions.select(option.name, value)}
          />
          <label for=${id} part=${swatches ? 'swatch' : 'choice'}>
            ${value}
            ${
              swatches
                ? html`<span
                    class=${colour ? 'chip' : 'chip unknown'}
                    ${cssProps(colour ? { '--swatch': colour } : {})}
                    aria-hidden="true"
                  ></span>`
                : nothing
            }
            ${reason ? html`<span class="reason">(${reason})</span>` : nothing}
          </label>
        </span>`;
      })}
    </div>
  </fieldset>`;
}
