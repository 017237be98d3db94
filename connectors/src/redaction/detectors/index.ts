// The detectors a rules document turns on, in priority order: when two findings overlap, the
// one from the detector earlier in this list wins (user info before the e-mail it looks like,
// a JWT before the high-entropy token it also is).
import { compileAction, REDACT_ACTION, replaceAction, type CompiledAction, type HashSettings } from '../actions';
import { REDACTED_USER_INFO } from '../constants';
import type { DetectorRules, DetectorSetting, RuleAction } from '../rules-document';
import { apiKeyDetector } from './api-key';
import { bearerTokenDetector } from './bearer-token';
import type { Detector } from './detector';
import { emailDetector } from './email';
import { highEntropyDetector } from './high-entropy';
import { ibanDetector } from './iban';
import { ipAddressDetector } from './ip-address';
import { jwtDetector } from './jwt';
import { paymentCardDetector } from './payment-card';
import { phoneDetector } from './phone';
import { urlCredentialsDetector } from './url-credentials';

export type { Detector, MatchSink, ValueRule } from './detector';
export { defineDetector, eachMatch, regexSearch } from './detector';
export { luhnValid } from './payment-card';
export { ibanValid } from './iban';
export { shannonEntropy } from './high-entropy';
export { DEFAULT_API_KEY_PREFIXES } from './api-key';

export const DETECTOR_NAMES = ['urlCredentials', 'jwt', 'bearerToken', 'apiKey', 'email', 'iban', 'paymentCard', 'phone', 'ipAddress', 'highEntropy'] as const;
export type DetectorName = (typeof DETECTOR_NAMES)[number];

/** The setting as an object when the detector is on, undefined when off. */
function settingOf<T extends DetectorSetting>(value: boolean | T | undefined): T | undefined {
  if (value === undefined || value === false) return undefined;
  if (value === true) return {} as T;
  return value.enabled === false ? undefined : value;
}

/**
 * The detectors `rules` turn on, in priority order. `actionFor` compiles a detector's action;
 * a hash action whose key is missing drops (see compileAction).
 */
export function buildDetectors(rules: DetectorRules | undefined, hash: HashSettings): Detector[] {
  const detectors: Detector[] = [];
  const action = (configured: RuleAction | undefined, fallback: CompiledAction): CompiledAction => (configured === undefined ? fallback : compileAction(configured, hash));
  for (const name of DETECTOR_NAMES) {
    const setting = settingOf(rules?.[name]);
    if (setting === undefined) continue;
    switch (name) {
      case 'urlCredentials':
        detectors.push(urlCredentialsDetector(action(setting.action, replaceAction(REDACTED_USER_INFO))));
        break;
      case 'apiKey': {
        const apiKey = settingOf(rules?.apiKey)!;
        detectors.push(apiKeyDetector(action(setting.action, REDACT_ACTION), apiKey.prefixes, apiKey.minTailLength));
        break;
      }
      case 'highEntropy': {
        const entropy = settingOf(rules?.highEntropy)!;
        detectors.push(highEntropyDetector(action(setting.action, REDACT_ACTION), entropy.minLength, entropy.minBitsPerChar));
        break;
      }
      default:
        detectors.push(FACTORIES[name](action(setting.action, REDACT_ACTION)));
    }
  }
  return detectors;
}

const FACTORIES: Record<Exclude<DetectorName, 'urlCredentials' | 'apiKey' | 'highEntropy'>, (action: CompiledAction) => Detector> = {
  jwt: jwtDetector,
  bearerToken: bearerTokenDetector,
  email: emailDetector,
  iban: ibanDetector,
  paymentCard: paymentCardDetector,
  phone: phoneDetector,
  ipAddress: ipAddressDetector,
};
