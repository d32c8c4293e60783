import type { enReview } from './en-review.js';

/** Messages en français du clavier, des décomptes et de la fin de la file de revue. */
export const frReview: Record<keyof typeof enReview, string> = {
  'review.keysTitle': 'Raccourcis clavier',
  'review.keysNote':
    'Les touches marchent partout sur cet écran sauf dans un champ ; Échap quitte le champ ASIN. Après chaque décision, le résultat ouvert suivant s’affiche tout seul.',
  'review.keysClose': 'Fermer (Échap)',
  'review.key.accept': 'accepter',
  'review.key.accept.long': 'Accepter la proposition',
  'review.key.choose': 'choisir le candidat',
  'review.key.choose.long': 'Choisir le candidat de ce numéro',
  'review.key.noMatch': 'aucune',
  'review.key.noMatch.long': 'Marquer « aucune correspondance » (aucun n’est le produit)',
  'review.key.asin': 'saisir un ASIN',
  'review.key.asin.long': 'Saisir un ASIN soi-même, puis Entrée',
  'review.key.similar': 'pareil pour les semblables',
  'review.key.similar.long':
    'Après une décision : prendre la même pour les résultats semblables qu’elle liste',
  'review.key.undo': 'annuler',
  'review.key.undo.long': 'Annuler la dernière décision (encore pour remonter)',
  'review.key.next': 'suivant',
  'review.key.next.long': 'Résultat suivant sans décider',
  'review.key.previous': 'précédent',
  'review.key.previous.long': 'Résultat précédent',
  'review.key.help': 'toutes les touches',
  'review.key.help.long': 'Afficher cette liste',
  'review.left': 'reste {count} à revoir',
  'review.settledNow': '{count} réglés par vous ici',
  'review.backToJob': 'Retour à {name}',
  'review.seeAll': 'Voir tous les résultats, décidés compris',
  'review.nothingToAccept':
    'Rien à accepter sur ce résultat : choisissez un candidat (1–9), saisissez un ASIN (E) ou marquez « aucune » (N).',
  'review.noCandidate': 'Il n’y a pas de candidat {n} sur ce résultat.',
  'review.noOffer':
    'Rien à répéter : O applique une décision aux résultats semblables qu’elle liste.',
  'review.asinHint': '10 lettres ou chiffres',
} as const;
