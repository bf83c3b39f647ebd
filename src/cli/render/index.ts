// Picks the renderer for this invocation: JSON lines with --json; the live view when standard
// output is a terminal outside CI; plain lines otherwise (CI=true, pipes, files).
import type { CliIO } from '../io.ts';
import { JsonRenderer, LiveRenderer, PlainRenderer } from './events.ts';
import type { Renderer, RendererOptions } from './events.ts';

export type RenderMode = 'live' | 'plain' | 'json';

export function renderMode(io: CliIO, json: boolean | undefined): RenderMode {
  if (json) return 'json';
  if (io.stdout.isTTY && io.env.CI !== 'true' && io.env.TERM !== 'dumb') return 'live';
  return 'plain';
}

export function createRenderer(io: CliIO, mode: RenderMode, options: RendererOptions = {}): Renderer {
  if (mode === 'json') return new JsonRenderer(io.stdout);
  if (mode === 'live') return new LiveRenderer(io.stdout, options);
  return new PlainRenderer(io.stdout, options);
}

export type { Renderer, RendererOptions };
export { JsonRenderer, LiveRenderer, PlainRenderer } from './events.ts';
export { planText } from './plan.ts';
export { planJson } from '../../engine/index.ts';
export { duration, planSummary, resultSummary } from './format.ts';
