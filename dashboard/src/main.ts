// The dashboard's entry: the document's language first, then the elements.
import { defineElements } from './elements.ts';
import { applyToDocument } from './i18n.ts';

applyToDocument();
defineElements();
