import { isIPv6 } from 'node:net';
import type { CompiledAction } from '../actions';
import { defineDetector, eachMatch, type Detector } from './detector';

// Four decimal octets 0–255 without leading zeros, not part of a longer dotted number (a version
// such as 1.2.3.4.5) and not preceded by a letter or 'v' (v1.2.3.4).
const OCTET = '(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])';
const IPV4 = new RegExp(`(?<![\\w.-])${OCTET}(?:\\.${OCTET}){3}(?![\\w-]|\\.[0-9])`, 'g');
// Candidates for IPv6: hex groups and colons (with an optional embedded IPv4 tail), checked by node:net.
const IPV6_CANDIDATE = /(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{1,4}|(?:[0-9]{1,3}\.){3}[0-9]{1,3})?(?:%[0-9A-Za-z]+)?(?![\w:])/g;

export function ipAddressDetector(action: CompiledAction): Detector {
  return defineDetector(
    'detectors.ipAddress',
    action,
    (f) => (f.dots >= 3 && f.digits >= 4) || f.colons >= 2,
    (text, report) => {
      if (text.indexOf('.') >= 0) eachMatch(IPV4, text, (match) => {
        report(match.index, match.index + match[0].length);
        return true;
      });
      if (text.indexOf(':') !== text.lastIndexOf(':')) eachMatch(IPV6_CANDIDATE, text, (match) => {
        const address = match[0].replace(/%.*$/, '');
        // '::' alone and times such as 12:30:45 are not addresses.
        if (address === '::' || !isIPv6(address)) return false;
        report(match.index, match.index + match[0].length);
        return true;
      });
    },
  );
}
