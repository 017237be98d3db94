import type { CompiledAction } from '../actions';
import { defineDetector, regexSearch, type Detector } from './detector';

// Compact JWS/JWE: base64url segments separated by dots, the header starting `eyJ` ('{"').
const JWT = /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]*){0,2}/g;

export function jwtDetector(action: CompiledAction): Detector {
  return defineDetector('detectors.jwt', action, (f) => f.dots >= 2 && f.maxRun >= 7, regexSearch(JWT));
}
