/**
 * The CommonJS entry: `const Trellis = require('@trellis/sdk')` is the class
 * itself, with every named export on it (`require('@trellis/sdk').NotFoundError`),
 * as stripe-node and openai-node do. Compiled only by the CommonJS build.
 */
import * as sdk from './index.js';

export = Object.assign(sdk.Trellis, sdk, { default: sdk.Trellis });
