/** Checks of the options users pass, failing with `RPC_ERR_INVALID_OPTION` that names the option. */
import { RpcUsageError } from './errors.js';

/** @throws {RpcUsageError} `RPC_ERR_INVALID_OPTION` unless `value` is a positive integer. */
export function checkPositive(name: string, value: number): void {
  if (!Number.isInteger(value) || value <= 0) {
    throw new RpcUsageError('RPC_ERR_INVALID_OPTION', `${name} must be a positive integer, got ${value}`);
  }
}
