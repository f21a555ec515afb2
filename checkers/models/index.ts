/** The datatype models the linearizability checker knows, by the name `--model` takes. */
import { InputError } from '../../histories/errors.js';
import { counterModel, fifoQueueModel, mutexModel, setModel } from './collections.js';
import type { Model } from './model.js';
import { multiRegisterModel } from './multi-register.js';
import { casRegisterModel, kvModel, registerModel } from './register.js';

export type { Model, ModelOp } from './model.js';
export { canon } from './canon.js';

export const MODELS: Record<string, Model<any>> = {
  register: registerModel,
  'cas-register': casRegisterModel,
  kv: kvModel,
  'multi-register': multiRegisterModel,
  set: setModel,
  mutex: mutexModel,
  'fifo-queue': fifoQueueModel,
  counter: counterModel,
};

export function getModel(name: string): Model<any> {
  const m = Object.hasOwn(MODELS, name) ? MODELS[name] : undefined;
  if (!m) throw new InputError(`unknown model ${JSON.stringify(name)}; known models: ${Object.keys(MODELS).join(', ')}`);
  return m;
}
