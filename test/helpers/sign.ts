// Re-exported so tests sign deliveries exactly as `firebreak alert send` does.
export {
  basicAuthorization, signGithub, signGrafana, signPagerDuty, signStandardWebhook,
} from '../../ingress/webhooks/sources/sign';
