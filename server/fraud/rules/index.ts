// Every rule the engine runs, in the order their flags are listed.
import { clickFarm } from "./click-farm";
import { clickSpamming } from "./click-spamming";
import { clickVelocity } from "./click-velocity";
import { conversionRateAnomaly } from "./conversion-rate-anomaly";
import { fastConversion } from "./fast-conversion";
import { nonHuman } from "./non-human";
import { selfReferral } from "./self-referral";
import { synchronizedBurst } from "./synchronized-burst";
import type { FraudRule } from "./types";

export const RULES: readonly FraudRule[] = [
  selfReferral,
  nonHuman,
  fastConversion,
  clickVelocity,
  clickFarm,
  synchronizedBurst,
  clickSpamming,
  conversionRateAnomaly,
];

export function ruleByCode(code: string): FraudRule | undefined {
  return RULES.find((r) => r.code === code);
}

export { clickFarm, clickSpamming, clickVelocity, conversionRateAnomaly, fastConversion, nonHuman, selfReferral, synchronizedBurst };
export { ownIpList } from "./types";
export type { AffiliateProfile, FraudRule, RuleContext, RuleHit } from "./types";
