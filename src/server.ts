/** Starts Trellis (also `trellis serve`): see serve.ts. */
import { exitOnStartFailure, serve } from './serve.js';

serve().catch(exitOnStartFailure);
