// htm bound to Preact: JSX-like templates without a compile step. Text interpolated into a
// template is always a text node, so a caller who says `<script>` is shown as text.
import { h } from 'preact';
import htm from 'htm';

export const html = htm.bind(h);
