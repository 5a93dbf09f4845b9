import type { SignedDelivery } from '@crmhooks/core/testing';
import { CliError, EXIT } from './cli-error.js';

/** A receiver's answer. */
export interface Answer {
  readonly status: number;
  readonly body: string;
}

/** POSTs a delivery; an unreachable URL is a CliError with exit code 3. */
export async function sendDelivery(url: string, delivery: SignedDelivery, timeoutMs = 10_000): Promise<Answer> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: delivery.headers,
      body: delivery.body,
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const reason = cause?.code ?? cause?.message ?? (error as Error).message;
    throw new CliError(`Could not reach ${url}: ${reason}. Is the server running, and is the URL right?`, EXIT.unreachable);
  }
  return { status: response.status, body: await response.text() };
}
