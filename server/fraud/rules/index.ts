// Every rule the engine runs, in the order their flags are listed.
import { clickFarm } from "./click-farm";
import { clickSpamming } from "./click-spamming";
import { clickVelocity } from "./click-velocity";
import { clickToConversionTime } from "./click-to-conversion-time";
import { conversionPace } from "./conversion-pace";
import { conversionRateAnomaly } from "./conversion-rate-anomaly";
import { conversionRateEvidence } from "./conversion-rate-evidence";
import { convertingUserAgent } from "./converting-user-agent";
import { customerAliases } from "./customer-aliases";
import { fastConversion } from "./fast-conversion";
import { nonHuman } from "./non-human";
import { selfReferral } from "./self-referral";
import { subnetConcentration } from "./subnet-concentration";
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
  conversionRateEvidence,
  conversionPace,
  convertingUserAgent,
  subnetConcentration,
  clickToConversionTime,
  customerAliases,
];

export function ruleByCode(code: string): FraudRule | undefined {
  return RULES.find((r) => r.code === code);
}

export {
  clickFarm,
  clickSpamming,
  clickToConversionTime,
  clickVelocity,
  conversionPace,
  conversionRateAnomaly,
  conversionRateEvidence,
  convertingUserAgent,
  customerAliases,
  fastConversion,
  nonHuman,
  selfReferral,
  subnetConcentration,
  synchronizedBurst,
};
export { ownIpList } from "./types";
export type { AffiliateProfile, FraudRule, RuleContext, RuleHit } from "./types";
