/** Step ControllerLost: records the loss and decides whether the restart budget allows a replacement. */
import { decideControllerReplacement } from '#helpers/decide-controller-replacement';
import { redactSecrets } from '#helpers/redact-secrets';
import { logger } from '../powertools.ts';
import { recordControllerLosses } from '../sessions-repository.ts';
import { requireSession } from '../step-input.ts';

/** Records the loss at `now`; returns `{replace, restarts}` as the ASL's ResultSelector expects. */
export async function controllerLost(
  sessionId: string,
  loss: { Error?: string; Cause?: string } | undefined,
  now: () => Date = () => new Date(),
): Promise<{ replace: boolean; restarts: number }> {
  const session = await requireSession(sessionId);
  const decision = decideControllerReplacement(session.controllerLosses ?? [], now(), session.endRequested === true);
  // controllerRestarts counts every replacement ever started (it also makes RunTask's idempotency token).
  const totalRestarts = (session.controllerRestarts ?? 0) + (decision.replace ? 1 : 0);
  await recordControllerLosses(sessionId, decision.losses, totalRestarts);
  logger.warn('Controller lost', {
    lossError: loss?.Error,
    lossCause: loss?.Cause ? redactSecrets(loss.Cause).slice(0, 500) : undefined,
    replace: decision.replace,
    restarts: decision.restarts,
  });
  return { replace: decision.replace, restarts: decision.restarts };
}
