/*
 * i18n_catalogue.h - the server's one translation catalogue: every text the
 * API and the portal show people, French then English, side by side. Each
 * entry is MSG(id, code, fr, en): code is the stable code the JSON API returns
 * with the message, NULL for the portal's own texts. i18n.h makes the enum
 * msg_id from it and i18n.c the table; a text with printf conversions keeps
 * the same conversions in both languages (tests/test_i18n.c checks it).
 *
 * The portal's pages take their texts by id (L(req, MSG_...), portal.h); the
 * voter's browser has its own few texts in static/vote.mjs (t(fr, en)), which
 * run where this table is not. Mail templates are files (conf/mail/), the
 * défi questions access/'s (access_defi_question).
 *
 * No include guard: included once by i18n.h and once by i18n.c, each with its
 * own MSG().
 */

/* Messages of the JSON API (and of the portal when it reports the same refusal). */
MSG(MSG_NOT_FOUND, "not_found", "Cette adresse n'existe pas.", "There is nothing at this address.")
MSG(MSG_METHOD, "method_not_allowed",
    "Cette méthode n'est pas permise à cette adresse.",
    "This method is not allowed at this address.")
MSG(MSG_TOO_LARGE, "payload_too_large",
    "La requête est trop volumineuse.",
    "The request is too large.")
MSG(MSG_NO_BODY, "unexpected_body",
    "Cette adresse n'accepte pas de contenu.",
    "This address takes no request body.")
MSG(MSG_BAD_JSON, "invalid_json",
    "Le contenu de la requête n'est pas un JSON valide.",
    "The request body is not valid JSON.")
MSG(MSG_BAD_QUERY, "invalid_query",
    "Un paramètre de la requête est invalide.",
    "A query parameter is invalid.")
MSG(MSG_UNAVAILABLE, "unavailable",
    "Le service est momentanément indisponible. Réessayez dans un instant.",
    "The service is unavailable for a moment. Please try again shortly.")
MSG(MSG_CAST_UNAVAILABLE, "unavailable",
    "Votre bulletin n'a pas été enregistré : le service est momentanément indisponible. Réessayez "
    "dans un instant.",
    "Your ballot was not recorded: the service is unavailable for a moment. Please try again "
    "shortly.")
MSG(MSG_INTERNAL, "internal_error",
    "Une erreur interne est survenue ; rien n'a été modifié.",
    "An internal error occurred; nothing was changed.")
MSG(MSG_CONTENT_TYPE, "unsupported_media_type",
    "Le contenu doit être envoyé en JSON (application/json).",
    "The request body must be sent as JSON (application/json).")
MSG(MSG_FIELD, "invalid_field",
    "Un champ est manquant ou invalide.",
    "A field is missing or invalid.")
MSG(MSG_LINK_SENT, "link_sent",
    "Si cette adresse est celle d'un électeur, un lien vient d'y être envoyé. Il est valable 72 "
    "heures et annule les liens précédents.",
    "If this address belongs to a voter, a link has just been sent to it. It is valid for 72 hours "
    "and cancels earlier links.")
MSG(MSG_LINK_INVALID, "link_invalid",
    "Ce lien n'est plus valable : il a déjà servi, a été remplacé par un lien plus récent ou a "
    "expiré. Demandez un nouveau lien.",
    "This link is no longer valid: it was already used, replaced by a newer link or has expired. "
    "Ask for a new link.")
MSG(MSG_PASSWORD_SHORT, "password_too_short",
    "Le mot de passe doit compter au moins 12 caractères. Une phrase de plusieurs mots est plus "
    "facile à retenir.",
    "The password must have at least 12 characters. A phrase of several words is easier to "
    "remember.")
MSG(MSG_PASSWORD_LONG, "password_too_long",
    "Le mot de passe est trop long.",
    "The password is too long.")
MSG(MSG_PASSWORD_COMMON, "password_too_common",
    "Ce mot de passe est trop courant ou trop facile à deviner (mots de passe connus, même avec "
    "des chiffres ou des symboles à la place de lettres, dates, années). Une phrase de plusieurs "
    "mots est plus sûre.",
    "This password is too common or too easy to guess (known passwords, even with digits or "
    "symbols for letters, dates, years). A phrase of several words is safer.")
MSG(MSG_PASSWORD_IDENTIFIER, "password_contains_identifier",
    "Le mot de passe ne doit pas reprendre vos informations : numéro d'électeur, nom, prénom, "
    "adresse électronique (ni son domaine), adresse postale, ni le nom de l'organisateur ou de "
    "l'élection.",
    "The password must not be built on your details: voter number, surname, given names, e-mail "
    "address (or its domain), postal address, nor the organiser's or the election's name.")
MSG(MSG_PASSWORD_ENCODING, "password_encoding",
    "Le mot de passe contient des caractères invalides.",
    "The password contains invalid characters.")
MSG(MSG_PASSWORD_PATTERN, "password_pattern",
    "Le mot de passe est fait de répétitions, de suites ou d'un parcours du clavier (comme « "
    "azerty » ou « 1q2w3e »). Une phrase de plusieurs mots est plus sûre.",
    "The password is made of repetitions, sequences or a walk on the keyboard (like \"azerty\" or "
    "\"1q2w3e\"). A phrase of several words is safer.")
MSG(MSG_DEFI_QUESTION, "defi_question_invalid",
    "Choisissez une question défi de la liste.",
    "Choose a challenge question from the list.")
MSG(MSG_DEFI_ANSWER, "defi_answer_invalid",
    "La réponse au défi doit compter de 1 à 200 caractères.",
    "The challenge answer must have 1 to 200 characters.")
MSG(MSG_CREDENTIALS, "invalid_credentials",
    "Identifiant ou mot de passe incorrect.",
    "Incorrect identifier or password.")
MSG(MSG_THROTTLED, "too_many_attempts",
    "Trop de tentatives. Patientez avant de réessayer.",
    "Too many attempts. Please wait before trying again.")
MSG(MSG_LOCKED, "account_locked",
    "Après trop de tentatives, l'accès est bloqué pour un moment. Réessayez plus tard ou contactez "
    "la cellule d'assistance.",
    "After too many attempts, access is blocked for a while. Try again later or contact the "
    "support cell.")
MSG(MSG_SESSION, "session_required",
    "Votre session a expiré. Reconnectez-vous.",
    "Your session has expired. Please log in again.")
MSG(MSG_NOT_ACTIVATED, "not_activated",
    "Ce compte n'est pas encore activé.",
    "This account is not activated yet.")
MSG(MSG_CHALLENGE, "challenge_failed",
    "La vérification anti-robot a échoué ou a expiré. Recommencez.",
    "The anti-robot check failed or expired. Please try again.")
MSG(MSG_BUSY, "busy",
    "Le service est très sollicité. Réessayez dans quelques secondes.",
    "The service is very busy. Please try again in a few seconds.")
MSG(MSG_DEFI_WRONG, "defi_wrong",
    "La réponse à votre question défi ne correspond pas.",
    "The answer to your challenge question does not match.")
MSG(MSG_REISSUE_LIMIT, "reissue_limit",
    "Vous avez demandé trop de nouveaux codes aujourd'hui. Contactez la cellule d'assistance.",
    "You asked for too many new codes today. Contact the support cell.")
MSG(MSG_REISSUE_WINDOW, "reissue_window",
    "Un nouveau code de vote ne peut être demandé que pendant la période de vote.",
    "A new vote code can be asked for only while voting is open.")
MSG(MSG_DEFI_LOCKED, "defi_locked",
    "Trop de réponses erronées à votre question défi : la demande de nouveau code et le changement "
    "de question défi sont bloqués pour 24 heures. Contactez la cellule d'assistance.",
    "Too many wrong answers to your challenge question: asking for a new code and changing the "
    "challenge question are blocked for 24 hours. Contact the support cell.")
MSG(MSG_NOT_OPEN, "vote_not_open", "Le vote n'est pas ouvert.", "The vote is not open.")
MSG(MSG_CODE_WRONG, "code_wrong",
    "Ce code de vote n'est pas le vôtre.",
    "This vote code is not yours.")
MSG(MSG_CODE_LOCKED, "code_locked",
    "Trop de codes erronés : la saisie du code est bloquée. Demandez un nouveau code ou contactez "
    "la cellule d'assistance.",
    "Too many wrong codes: code entry is locked. Ask for a new code or contact the support cell.")
MSG(MSG_CODE_SENT, "code_sent",
    "Un nouveau code de vote vient d'être envoyé à votre adresse professionnelle. L'ancien ne "
    "fonctionne plus.",
    "A new vote code has just been sent to your professional address. The old one no longer works.")
MSG(MSG_VOTE_CLOSED, "vote_closed",
    "Le vote n'est pas ouvert en ce moment.",
    "Voting is not open at this time.")
MSG(MSG_VOTE_SUSPENDED, "vote_suspended",
    "Le vote est momentanément suspendu. Réessayez plus tard.",
    "Voting is suspended for the moment. Please try again later.")
MSG(MSG_UNKNOWN_SCRUTIN, "unknown_scrutin", "Ce scrutin n'existe pas.", "There is no such scrutin.")
MSG(MSG_NOT_ELIGIBLE, "not_eligible",
    "Vous ne remplissez pas les conditions pour voter à ce scrutin.",
    "You do not meet the criteria of this scrutin.")
MSG(MSG_ALREADY_VOTED, "already_voted",
    "Vous avez déjà voté à ce scrutin ; un vote est définitif.",
    "You have already voted in this scrutin; a vote is final.")
MSG(MSG_BALLOT_MALFORMED, "ballot_malformed",
    "Le bulletin est mal formé.",
    "The ballot is malformed.")
MSG(MSG_BALLOT_INVALID, "ballot_invalid",
    "Le bulletin ne porte pas de preuves valides ; il est refusé.",
    "The ballot does not carry valid proofs; it is refused.")
MSG(MSG_CREDENTIAL_UNKNOWN, "credential_unknown",
    "Le bulletin n'est pas signé par un code de vote de cette élection.",
    "The ballot is not signed with a vote code of this election.")
MSG(MSG_CREDENTIAL_USED, "credential_used",
    "Ce code de vote a déjà servi dans ce scrutin.",
    "This vote code was already used in this scrutin.")
MSG(MSG_CREDENTIAL_REVOKED, "credential_revoked",
    "Ce code de vote a été remplacé par un nouveau code : utilisez le dernier code reçu.",
    "This vote code was replaced by a new one: use the last code you received.")
MSG(MSG_REISSUE_UNAVAILABLE, "reissue_unavailable",
    "L'envoi d'un nouveau code de vote n'est pas disponible : contactez la cellule d'assistance.",
    "Sending a new vote code is not available: contact the support cell.")
MSG(MSG_REISSUE_PENDING, "reissue_pending",
    "Votre demande de nouveau code est transmise à l'autorité des codes de vote, qui ne l'a pas "
    "encore traitée : réessayez dans quelques minutes.",
    "Your request for a new code was passed to the vote-code authority, which has not handled it "
    "yet: try again in a few minutes.")
MSG(MSG_REISSUE_NONE, "reissue_none",
    "Vous avez déjà voté dans chacun de vos scrutins : aucun code à remplacer.",
    "You already voted in each of your scrutins: no code to replace.")
MSG(MSG_BALLOT_COPY, "ballot_copy",
    "Ce bulletin, ou une partie, est déjà dans l'urne : il est refusé.",
    "This ballot, or part of it, is already in the ballot box: it is refused.")
MSG(MSG_ARCHIVE_LATER, "archive_later",
    "L'archive complète est publiée à la clôture du vote ; d'ici là, l'urne se consulte page par "
    "page.",
    "The complete archive is published when the vote closes; until then, the ballot box can be "
    "read page by page.")
MSG(MSG_NO_BUREAU, "no_bureau",
    "Cette élection ne déclare pas de bureau de vote détenteur des clés.",
    "This election declares no bureau de vote holding the keys.")
MSG(MSG_CEREMONY_REFUSED, "ceremony_refused",
    "Le message a été refusé : le détail dit pourquoi.",
    "The message was refused: the detail says why.")
MSG(MSG_CEREMONY_KEYS, "ceremony_keys",
    "Les clés d'un détenteur sont remises au responsable du scrutin, qui les dépose (votectl "
    "ceremony post).",
    "A key holder's keys are handed to the officer, who posts them (votectl ceremony post).")
MSG(MSG_FORM_EXPIRED, "form_expired",
    "Ce formulaire a expiré ou ne vient pas de ce site. Rechargez la page et recommencez ; rien "
    "n'a été modifié.",
    "This form has expired or does not come from this site. Reload the page and try again; nothing "
    "was changed.")
MSG(MSG_FORBIDDEN, "forbidden",
    "Cette page est réservée à un autre rôle.",
    "This page is for another role.")
MSG(MSG_REASON, "reason_required",
    "Indiquez le motif de l'action (200 caractères au plus).",
    "Give the reason for this action (200 characters at most).")
MSG(MSG_STAFF_ACCOUNT, "staff_account",
    "Identifiant ou rôle non valable.",
    "Login or role not acceptable.")
MSG(MSG_DONE, "done", "C'est fait.", "Done.")
MSG(MSG_BAD_REQUEST, "bad_request", "La requête est mal formée.", "The request is malformed.")
MSG(MSG_LINK_RATE, "link_rate",
    "Plusieurs liens ont déjà été demandés pour cette adresse dans l'heure. Si elle est inscrite, "
    "les liens déjà envoyés restent valables : consultez votre messagerie, y compris les courriers "
    "indésirables. Vous pourrez demander un nouveau lien après le délai indiqué.",
    "Several links were already asked for this address in the last hour. If it is registered, the "
    "links already sent remain valid: look in your mailbox, including junk mail. You may ask for a "
    "new link after the time shown.")
MSG(MSG_FACTOR_LOCKED, "second_factor_locked",
    "Trop de codes à usage unique erronés : la connexion à ce compte est bloquée et le bureau de "
    "vote est prévenu. Un membre du bureau doit la débloquer.",
    "Too many wrong one-time codes: logins to this account are blocked and the election officers "
    "are alerted. An officer must unblock it.")

/* Portal: the layout, the shared form fields, and texts of several pages */
MSG(MSG_PORTAL_CONSOLE_MENU, NULL, "Menu de la console", "Console menu")
MSG(MSG_PORTAL_FIND_VOTER, NULL, "Rechercher un électeur", "Find a voter")
MSG(MSG_PORTAL_DASHBOARD, NULL, "Tableau de bord", "Dashboard")
MSG(MSG_PORTAL_LOG_OUT, NULL, "Se déconnecter", "Log out")
MSG(MSG_PORTAL_MAIN_MENU, NULL, "Menu principal", "Main menu")
MSG(MSG_PORTAL_MY_VOTING_SPACE, NULL, "Mon espace de vote", "My voting space")
MSG(MSG_PORTAL_MY_ACCOUNT, NULL, "Mon compte", "My account")
MSG(MSG_PORTAL_PUBLIC_BALLOT_BOX, NULL, "Urne publique", "Public ballot box")
MSG(MSG_PORTAL_HOME, NULL, "Accueil", "Home")
MSG(MSG_PORTAL_LOG_IN, NULL, "Se connecter", "Log in")
MSG(MSG_PORTAL_GET_ACCESS_LINK, NULL, "Recevoir un lien d'accès", "Get an access link")
MSG(MSG_PORTAL_RESULTS, NULL, "Résultats", "Results")
MSG(MSG_PORTAL_ONLINE_VOTING, NULL, "Vote électronique", "Online voting")
MSG(MSG_PORTAL_SKIP_CONTENT, NULL, "Aller au contenu", "Skip to content")
MSG(MSG_PORTAL_NEED_HELP, NULL, "Besoin d'aide ?", "Need help?")
MSG(MSG_PORTAL_SUPPORT_CELL, NULL, "Cellule d'assistance : ", "Support cell: ")
MSG(MSG_PORTAL_HELP_FREQUENT_QUESTIONS, NULL,
    "Aide et questions fréquentes",
    "Help and frequent questions")
MSG(MSG_PORTAL_ERROR, NULL, "Erreur", "Error")
MSG(MSG_PORTAL_BACK_HOME, NULL, "Retour à l'accueil", "Back to home")
MSG(MSG_PORTAL_CHALLENGE_QUESTION, NULL, "Votre question défi", "Your challenge question")
MSG(MSG_PORTAL_ASKED_IF_LOSE_NOTICE, NULL,
    "Elle vous sera posée si vous perdez votre notice. Choisissez une question dont vous seul "
    "connaissez la réponse.",
    "You will be asked it if you lose your notice. Choose a question only you can answer.")
MSG(MSG_PORTAL_CHOOSE, NULL, "— Choisissez —", "— Choose —")
MSG(MSG_PORTAL_LEAST_12_CHARACTERS_PHRASE, NULL,
    "Au moins 12 caractères ; une phrase de plusieurs mots est plus facile à retenir. Ne "
    "réutilisez pas un mot de passe existant.",
    "At least 12 characters; a phrase of several words is easier to remember. Do not reuse an "
    "existing password.")
MSG(MSG_PORTAL_CONFIRM_PASSWORD, NULL, "Confirmez le mot de passe", "Confirm the password")
MSG(MSG_PORTAL_CHOOSE_PASSWORD, NULL, "Choisissez un mot de passe.", "Choose a password.")
MSG(MSG_PORTAL_TWO_PASSWORDS_DIFFER, NULL,
    "Les deux mots de passe ne sont pas identiques.",
    "The two passwords differ.")
MSG(MSG_PORTAL_ASK_NEW_LINK, NULL, "Demander un nouveau lien", "Ask for a new link")
MSG(MSG_PORTAL_DEFI_ANSWER_HINT, NULL,
    "Les majuscules, les accents et les espaces ne comptent pas.",
    "Capitals, accents and spaces do not matter.")
MSG(MSG_PORTAL_ELECTIONS_PASSWORD, NULL, "Mot de passe « élections »", "\"Elections\" password")
MSG(MSG_PORTAL_BACK_MY_VOTING_SPACE, NULL, "Retour à mon espace de vote", "Back to my voting space")
MSG(MSG_PORTAL_TURNOUT, NULL, "Participation", "Turnout")
MSG(MSG_PORTAL_ESTABLISHMENT, NULL, "Établissement", "Establishment")

/* Portal: page_access.c */
MSG(MSG_ACCESS_WIDGET_LANGUAGE, NULL, "fr-fr", "en")
MSG(MSG_ACCESS_ANTI_ROBOT_CHECK_NEEDS, NULL,
    "La vérification anti-robot a besoin de JavaScript. Sans JavaScript, la cellule d'assistance "
    "peut vous envoyer un lien.",
    "The anti-robot check needs JavaScript. Without JavaScript, the support cell can send you a "
    "link.")
MSG(MSG_ACCESS_FORGOTTEN_REFUSED_PASSWORD, NULL,
    "Mot de passe oublié ou refusé",
    "Forgotten or refused password")
MSG(MSG_ACCESS_PROFESSIONAL_E_MAIL_ADDRESS, NULL,
    "Votre adresse électronique professionnelle",
    "Your professional e-mail address")
MSG(MSG_ACCESS_REMEMBER_LOOK_JUNK_MAIL, NULL,
    "Pensez à regarder dans vos courriers indésirables.",
    "Remember to look in your junk mail.")
MSG(MSG_ACCESS_MAY_TRY_AGAIN, NULL, "Vous pourrez réessayer dans", "You may try again in")
MSG(MSG_ACCESS_NEW_ACTIVATION_LINK_SENT, NULL,
    "Un nouveau lien d'activation sera envoyé à votre adresse professionnelle. Les liens envoyés "
    "auparavant restent valables ; dès que vous en suivez un, les autres sont annulés.",
    "A new activation link will be sent to your professional address. Links sent earlier remain "
    "valid; once you follow one, the others are cancelled.")
MSG(MSG_ACCESS_LINK_CHOOSE_NEW_PASSWORD, NULL,
    "Un lien pour choisir un nouveau mot de passe sera envoyé à votre adresse professionnelle.",
    "A link to choose a new password will be sent to your professional address.")
MSG(MSG_ACCESS_SEND_ME_LINK, NULL, "Recevoir le lien", "Send me the link")
MSG(MSG_ACCESS_TYPE_PROFESSIONAL_ADDRESS, NULL,
    "Saisissez votre adresse professionnelle.",
    "Type your professional address.")
MSG(MSG_ACCESS_NOT_E_MAIL_ADDRESS, NULL,
    "Ce n'est pas une adresse électronique.",
    "This is not an e-mail address.")

/* Portal: page_account.c */
MSG(MSG_ACCOUNT_VOTER_NUMBER, NULL, "Numéro d'électeur", "Voter number")
MSG(MSG_ACCOUNT_PROFESSIONAL_ADDRESSES, NULL, "Adresses professionnelles", "Professional addresses")
MSG(MSG_ACCOUNT_CHALLENGE_QUESTION, NULL, "Question défi", "Challenge question")
MSG(MSG_ACCOUNT_NONE_ACTIVATION_LINK_LETS, NULL,
    "aucune (un lien d'activation vous permet d'en choisir une)",
    "none (an activation link lets you choose one)")
MSG(MSG_ACCOUNT_CURRENT_PASSWORD, NULL, "Mot de passe actuel", "Current password")
MSG(MSG_ACCOUNT_CHANGE_PASSWORD, NULL, "Changer de mot de passe", "Change the password")
MSG(MSG_ACCOUNT_NEW_PASSWORD, NULL, "Nouveau mot de passe", "New password")
MSG(MSG_ACCOUNT_CHANGE_PASSWORD_BUTTON, NULL, "Changer le mot de passe", "Change the password")
MSG(MSG_ACCOUNT_DEFI_CURRENT_HINT, NULL,
    "Votre réponse actuelle. Les majuscules, les accents et les espaces ne comptent pas.",
    "Your current answer. Capitals, accents and spaces do not matter.")
MSG(MSG_ACCOUNT_NEW_ANSWER, NULL, "Nouvelle réponse", "New answer")
MSG(MSG_ACCOUNT_CHANGE_CHALLENGE_QUESTION, NULL,
    "Changer de question défi",
    "Change the challenge question")
MSG(MSG_ACCOUNT_CHANGE_DEFI_BUTTON, NULL,
    "Changer la question défi",
    "Change the challenge question")
MSG(MSG_ACCOUNT_CURRENT_PASSWORD_WRONG, NULL,
    "Le mot de passe actuel est incorrect.",
    "The current password is wrong.")
MSG(MSG_ACCOUNT_PASSWORD_CHANGED_OTHER_SESSIONS, NULL,
    "Votre mot de passe est changé. Vos autres sessions sont fermées.",
    "Your password is changed. Your other sessions are closed.")
MSG(MSG_ACCOUNT_CHALLENGE_QUESTION_CHANGED_OTHER, NULL,
    "Votre question défi est changée. Vos autres sessions sont fermées.",
    "Your challenge question is changed. Your other sessions are closed.")

/* Portal: page_activation.c */
MSG(MSG_ACTIVATION_ANSWER_CHALLENGE_QUESTION, NULL,
    "Réponse à la question défi",
    "Answer to the challenge question")
MSG(MSG_ACTIVATION_ACTIVATE_MY_ACCOUNT, NULL, "Activer mon compte", "Activate my account")
MSG(MSG_ACTIVATION_ACCOUNT_ACTIVATED_VOTE_ADDRESS, NULL,
    "Votre compte est activé. Vous pourrez voter avec votre adresse, ce mot de passe et le code de "
    "vote de votre notice.",
    "Your account is activated. You will vote with your address, this password and the vote code "
    "on your notice.")

/* Portal: page_box.c */
MSG(MSG_BOX_NOT_TRACKING_NUMBER, NULL,
    "Ce n'est pas un numéro de suivi : il compte 52 caractères en groupes de 4.",
    "This is not a tracking number: it has 52 characters in groups of 4.")
MSG(MSG_BOX_NO_BALLOT_BOX_TRACKING, NULL,
    "Aucun bulletin de l'urne ne porte ce numéro de suivi. Vérifiez votre saisie ; si le numéro "
    "est exact, contactez la cellule d'assistance.",
    "No ballot in the box has this tracking number. Check what you typed; if the number is right, "
    "contact the support cell.")
MSG(MSG_BOX_BALLOT_BOX_RECORDED_PUBLISHED, NULL,
    "Ce bulletin est dans l'urne. Il est enregistré et sera publié sur le tableau de l'urne au "
    "prochain lot : les nouveaux bulletins y paraissent ensemble, à intervalles réguliers, pour "
    "que nul ne puisse dater un bulletin.",
    "This ballot is in the box. It is recorded, and published on the board at the next batch: new "
    "ballots appear there together, at regular intervals, so that no one can time a ballot.")
MSG(MSG_BOX_BALLOT_BOX, NULL, "Ce bulletin est dans l'urne.", "This ballot is in the box.")
MSG(MSG_BOX_SCRUTIN, NULL, "Scrutin", "Scrutin")
MSG(MSG_BOX_TRACKING_NUMBER, NULL, "Numéro de suivi", "Tracking number")
MSG(MSG_BOX_RECEIPT_ACKNOWLEDGEMENT_SENT_E, NULL,
    "Il figure sur votre reçu et dans l'accusé de réception envoyé par courriel.",
    "It is on your receipt and in the acknowledgement sent by e-mail.")
MSG(MSG_BOX_BOX_HOLDS_ENCRYPTED_BALLOTS, NULL,
    "L'urne contient les bulletins chiffrés, sans lien avec les électeurs. Vérifiez que le vôtre y "
    "est.",
    "The box holds the encrypted ballots, with no link to the voters. Check that yours is there.")
MSG(MSG_BOX_CHECK, NULL, "Vérifier", "Check")
MSG(MSG_BOX_COMPLETE_ARCHIVE, NULL,
    "Archive complète de l'élection (après la clôture), pour les vérificateurs",
    "The election's complete archive (after closing), for verifiers")

/* Portal: page_code.c */
MSG(MSG_NEWCODE_GET_NEW_VOTE_CODE, NULL, "Recevoir un nouveau code de vote", "Get a new vote code")
MSG(MSG_NEWCODE_CODE_SENT_BY_MAIL, NULL,
    "Un nouveau code vous sera envoyé par courriel à votre adresse professionnelle. Le code de "
    "votre notice ne fonctionnera plus. Répondez d'abord à votre question défi.",
    "A new code will be sent by e-mail to your professional address. The code on your notice will "
    "stop working. First answer your challenge question.")
MSG(MSG_NEWCODE_SEND_ME_NEW_CODE, NULL, "Recevoir un nouveau code", "Send me a new code")

/* Portal: page_help.c */
MSG(MSG_HELP_NO_LINK_Q, NULL,
    "Je n'ai pas reçu le lien d'activation.",
    "I did not receive the activation link.")
MSG(MSG_HELP_NO_LINK_A, NULL,
    "Regardez dans vos courriers indésirables, puis demandez un nouveau lien sur la page « "
    "Recevoir un lien d'accès » avec votre adresse professionnelle. Chaque nouveau lien annule les "
    "précédents.",
    "Look in your junk mail, then ask for a new link on the \"Get an access link\" page with your "
    "professional address. Each new link cancels earlier ones.")
MSG(MSG_HELP_PASSWORD_REFUSED_Q, NULL, "Mon mot de passe est refusé.", "My password is refused.")
MSG(MSG_HELP_PASSWORD_REFUSED_A, NULL,
    "Après quelques essais, l'accès est ralenti puis bloqué un moment. Utilisez « Mot de passe "
    "oublié ou refusé » : un lien vous permet d'en choisir un nouveau.",
    "After a few attempts, access is slowed down then blocked for a while. Use \"Forgotten or "
    "refused password\": a link lets you choose a new one.")
MSG(MSG_HELP_LOST_NOTICE_Q, NULL,
    "J'ai perdu ma notice ou mon code de vote.",
    "I lost my notice or my vote code.")
MSG(MSG_HELP_LOST_NOTICE_A, NULL,
    "Connectez-vous, puis « J'ai perdu ma notice » dans votre espace de vote : après la réponse à "
    "votre question défi, un nouveau code vous est envoyé par courriel et l'ancien ne fonctionne "
    "plus.",
    "Log in, then \"I lost my notice\" in your voting space: after the answer to your challenge "
    "question, a new code is sent to you by e-mail and the old one stops working.")
MSG(MSG_HELP_WHO_KNOWS_VOTE_Q, NULL, "Qui peut connaître mon vote ?", "Who can know my vote?")
MSG(MSG_HELP_WHO_KNOWS_VOTE_A, NULL,
    "Personne. Votre bulletin est chiffré sur votre appareil ; il est rangé dans l'urne sans lien "
    "avec votre nom. Seul le total est déchiffré, après la clôture, par le président et deux "
    "délégués du bureau de vote réunis.",
    "No one. Your ballot is encrypted on your device; it is stored in the box with no link to your "
    "name. Only the total is decrypted, after closing, by the president and two delegates of the "
    "bureau de vote together.")
MSG(MSG_HELP_CHECK_COUNTED_Q, NULL,
    "Comment vérifier que mon vote a été compté ?",
    "How can I check that my vote was counted?")
MSG(MSG_HELP_CHECK_COUNTED_A, NULL,
    "Votre reçu porte un numéro de suivi. La page « Urne publique » dit si un bulletin de l'urne "
    "porte ce numéro ; après la clôture, l'archive publiée permet à quiconque de vérifier le "
    "dépouillement.",
    "Your receipt carries a tracking number. The \"Public ballot box\" page says whether a ballot "
    "in the box has this number; after closing, the published archive lets anyone check the count.")
MSG(MSG_HELP_TITLE, NULL, "Aide", "Help")

/* Portal: page_home.c */
MSG(MSG_HOME_VOTING_SUSPENDED_MOMENT, NULL,
    "Le vote est momentanément suspendu.",
    "Voting is suspended for the moment.")
MSG(MSG_HOME_VOTING_OPEN, NULL, "Le vote est ouvert.", "Voting is open.")
MSG(MSG_HOME_VOTING_CLOSED_COUNT_UNDER, NULL,
    "Le vote est clos ; le dépouillement est en cours.",
    "Voting is closed; the count is under way.")
MSG(MSG_HOME_VOTING_CLOSED_RESULTS_PUBLISHED, NULL,
    "Le vote est clos ; les résultats sont publiés.",
    "Voting is closed; the results are published.")
MSG(MSG_HOME_VOTING_NOT_OPEN_YET, NULL,
    "Le vote n'est pas encore ouvert.",
    "Voting is not open yet.")
MSG(MSG_HOME_SEATS_FILL, NULL, "Sièges à pourvoir :", "Seats to fill:")
MSG(MSG_HOME_PROFESSION_DE_FOI, NULL, "profession de foi", "profession de foi")
MSG(MSG_HOME_OF, NULL, "de", "of")
MSG(MSG_HOME_WELCOME, NULL, "Bienvenue", "Welcome")
MSG(MSG_HOME_VOTING_OPEN_FROM, NULL, "Le vote est ouvert du", "Voting is open from")
MSG(MSG_HOME_TO, NULL, "au", "to")
MSG(MSG_HOME_PARIS_TIME, NULL, " (heure de Paris).</p>", " (Paris time).</p>")
MSG(MSG_HOME_HOW_VOTE, NULL, "Comment voter", "How to vote")
MSG(MSG_HOME_ACTIVATE_ACCOUNT_LINK_SENT, NULL,
    "Activez votre compte avec le lien reçu sur votre adresse professionnelle : vous y créez votre "
    "mot de passe « élections » et votre question défi.",
    "Activate your account with the link sent to your work address: you create your \"elections\" "
    "password and your challenge question there.")
MSG(MSG_HOME_KEEP_PAPER_NOTICE_HANDED, NULL,
    "Gardez la notice papier qui vous est remise : elle porte votre code de vote secret.",
    "Keep the paper notice handed to you: it carries your secret vote code.")
MSG(MSG_HOME_DURING_VOTE_LOG_CHOOSE, NULL,
    "Pendant le vote, connectez-vous, choisissez une liste ou le vote blanc, saisissez votre code "
    "de vote et confirmez. Votre bulletin est chiffré sur votre appareil.",
    "During the vote, log in, choose a list or a blank vote, type your vote code and confirm. Your "
    "ballot is encrypted on your device.")
MSG(MSG_HOME_I_NO_LINK_EXPIRED, NULL,
    "Je n'ai pas reçu de lien, ou il a expiré",
    "I have no link, or it expired")
MSG(MSG_HOME_SCRUTINS, NULL, "Les scrutins", "The scrutins")

/* Portal: page_login.c */
MSG(MSG_LOGIN_PROFESSIONAL_E_MAIL_ADDRESS, NULL,
    "Adresse électronique professionnelle",
    "Professional e-mail address")
MSG(MSG_LOGIN_FORGOTTEN_REFUSED_PASSWORD, NULL,
    "Mot de passe oublié ou refusé ?",
    "Forgotten or refused password?")
MSG(MSG_LOGIN_ACCOUNT_NOT_ACTIVATED_YET, NULL,
    "Compte pas encore activé, ou lien perdu ?",
    "Account not activated yet, or link lost?")

/* Portal: page_officer.c */
MSG(MSG_OFFICER_STATE_DRAFT, NULL, "en préparation", "being prepared")
MSG(MSG_OFFICER_STATE_KEYS_READY, NULL,
    "clés prêtes, vote pas encore ouvert",
    "keys ready, vote not open yet")
MSG(MSG_OFFICER_STATE_OPEN, NULL, "vote ouvert", "vote open")
MSG(MSG_OFFICER_STATE_CLOSED, NULL,
    "vote clos, en attente du dépouillement",
    "vote closed, awaiting the count")
MSG(MSG_OFFICER_STATE_TALLIED, NULL, "dépouillé", "counted")
MSG(MSG_OFFICER_STATE_PUBLISHED, NULL, "résultats publiés", "results published")
MSG(MSG_OFFICER_STATE_PURGED, NULL, "données personnelles effacées", "personal data erased")
MSG(MSG_OFFICER_CEREMONY_KEYS, NULL,
    "Clés publiques des membres du bureau",
    "Key holders' public keys")
MSG(MSG_OFFICER_CEREMONY_SHARES, NULL, "Parts chiffrées échangées", "Encrypted shares exchanged")
MSG(MSG_OFFICER_CEREMONY_VERDICTS, NULL, "Vérifications des parts", "Share verdicts")
MSG(MSG_OFFICER_STATE, NULL, "État", "State")
MSG(MSG_OFFICER_VOTE_STATE, NULL, "État du vote", "Vote state")
MSG(MSG_OFFICER_MOCK_VOTE, NULL, " (vote d'essai)", " (mock vote)")
MSG(MSG_OFFICER_SUSPENDED, NULL, "Suspendu", "Suspended")
MSG(MSG_OFFICER_OPENS, NULL, "Ouverture", "Opens")
MSG(MSG_OFFICER_CLOSES, NULL, "Clôture", "Closes")
MSG(MSG_OFFICER_REGISTERED_VOTERS, NULL, "Électeurs inscrits", "Registered voters")
MSG(MSG_OFFICER_VOTERS_STRUCK_OFF, NULL, "Électeurs radiés", "Voters struck off")
MSG(MSG_OFFICER_SIGNATURES, NULL, "Émargements", "Signatures")
MSG(MSG_OFFICER_BALLOTS_BOX, NULL, "Bulletins dans l'urne", "Ballots in the box")
MSG(MSG_OFFICER_AUDIT_LOG_ENTRIES, NULL, "Entrées du journal d'audit", "Audit log entries")
MSG(MSG_OFFICER_VOTE_CODES_NOTICES, NULL, "Codes de vote et notices", "Vote codes and notices")
MSG(MSG_OFFICER_VOTE_CODES_CREDENTIAL_AUTHORITY, NULL,
    "Codes de vote (notices de l'autorité de certification)",
    "Vote codes (the credential authority's notices)")
MSG(MSG_OFFICER_VOTERS_WITHOUT_VOTE_CODE, NULL,
    "Électeurs sans code de vote",
    "Voters without a vote code")
MSG(MSG_OFFICER_CODES_REISSUED_CREDENTIAL_AUTHORITY, NULL,
    "Codes réédités par l'autorité des codes",
    "Codes reissued by the credential authority")
MSG(MSG_OFFICER_TURNOUT, NULL, "Participation :", "Turnout:")
MSG(MSG_OFFICER_BY_ESTABLISHMENT, NULL, "Par établissement", "By establishment")
MSG(MSG_OFFICER_SIGNATURES_REGISTERED, NULL, "Émargements / inscrits", "Signatures / registered")
MSG(MSG_OFFICER_KEY_CEREMONY, NULL, "Cérémonie des clés", "Key ceremony")
MSG(MSG_OFFICER_NO_KEY_HOLDING_BUREAU, NULL,
    "Pas de bureau de vote détenteur de clés.",
    "No key-holding bureau de vote.")
MSG(MSG_OFFICER_BUREAU_MEMBERS, NULL, "Membres du bureau", "Bureau members")
MSG(MSG_OFFICER_SCRUTINS_COUNTED_ENCRYPTED_SUMS, NULL,
    "Scrutins dépouillés (sommes chiffrées publiées)",
    "Scrutins counted (encrypted sums published)")
MSG(MSG_OFFICER_SEALS, NULL, "Scellés", "Seals")
MSG(MSG_OFFICER_MESSAGE_SHOWN_VOTERS, NULL,
    "Message affiché aux électeurs",
    "Message shown to voters")
MSG(MSG_OFFICER_OFFICERS_ACTIONS, NULL, "Actions du bureau", "Officers' actions")
MSG(MSG_OFFICER_CLOSE_VOTE, NULL, "Clore le vote", "Close the vote")
MSG(MSG_OFFICER_AFTER_CLOSING_TIME_ONCE, NULL,
    "Après l'heure de clôture, et une fois l'état de clôture scellé par le bureau.",
    "After the closing time, once the bureau has sealed the closing state.")
MSG(MSG_OFFICER_SUSPEND_VOTE, NULL, "Suspendre le vote", "Suspend the vote")
MSG(MSG_OFFICER_DURING_INCIDENT_MESSAGE_SHOWN, NULL,
    "En cas d'incident ; le message est affiché aux électeurs et enregistré au journal d'audit.",
    "During an incident; the message is shown to voters and recorded in the audit log.")
MSG(MSG_OFFICER_RESUME_VOTE, NULL, "Reprendre le vote", "Resume the vote")
MSG(MSG_OFFICER_VOTERS_VOTE_AGAIN, NULL,
    "Les électeurs peuvent de nouveau voter.",
    "Voters can vote again.")
MSG(MSG_OFFICER_ENCRYPTED_SUMS_PUBLISHED_PRESIDENT, NULL,
    "Les sommes chiffrées sont publiées : le président et les délégués du bureau les déchiffrent.",
    "The encrypted sums are published: the president and the bureau's delegates decrypt them.")
MSG(MSG_OFFICER_COUNT, NULL, "Dépouiller", "Count")
MSG(MSG_OFFICER_CHECKS_EVERY_BALLOT_BALLOTS, NULL,
    "Vérifie chaque bulletin, que les bulletins correspondent aux émargements, et publie les "
    "sommes chiffrées que le bureau déchiffre.",
    "Checks every ballot and that ballots match signatures, then publishes the encrypted sums for "
    "the bureau to decrypt.")
MSG(MSG_OFFICER_ALERT_CONSOLE_ACCOUNTS_BLOCKED, NULL,
    "Alerte : comptes de gestion bloqués",
    "Alert: console accounts blocked")
MSG(MSG_OFFICER_TOO_MANY_WRONG_ONE, NULL,
    "Trop de codes à usage unique erronés ont été saisis après le bon mot de passe de ces comptes "
    ": leur mot de passe est peut-être connu d'un tiers. Vérifiez auprès de la personne, changez "
    "son mot de passe si besoin, puis débloquez avec « votectl staff-unlock --reason TEXTE "
    "IDENTIFIANT ».",
    "Too many wrong one-time codes were typed after the right password of these accounts: their "
    "password may be known to someone else. Check with the person, replace the password if needed, "
    "then unblock with \"votectl staff-unlock --reason TEXT LOGIN\".")
MSG(MSG_OFFICER_OFFICERS_DASHBOARD, NULL, "Tableau de bord du bureau", "Officers' dashboard")
MSG(MSG_OFFICER_SEE_RESULTS, NULL, "Voir les résultats", "See the results")

/* Portal: page_password.c */
MSG(MSG_REASSORT_CHOOSE_NEW_PASSWORD, NULL,
    "Choisir un nouveau mot de passe",
    "Choose a new password")
MSG(MSG_REASSORT_PASSWORD_CHANGED, NULL,
    "Votre mot de passe est changé.",
    "Your password is changed.")
MSG(MSG_REASSORT_NEW_ELECTIONS_PASSWORD, NULL,
    "Nouveau mot de passe « élections »",
    "New \"elections\" password")
MSG(MSG_REASSORT_SAVE, NULL, "Enregistrer", "Save")

/* Portal: page_results.c */
MSG(MSG_RESULTS_REGISTERED, NULL, "Inscrits", "Registered")
MSG(MSG_RESULTS_VOTERS, NULL, "Votants", "Voters")
MSG(MSG_RESULTS_BLANK_BALLOTS, NULL, "Bulletins blancs", "Blank ballots")
MSG(MSG_RESULTS_VALID_VOTES, NULL, "Suffrages exprimés", "Valid votes")
MSG(MSG_RESULTS_VOTES_SEATS_LIST, NULL, "Voix et sièges par liste", "Votes and seats by list")
MSG(MSG_RESULTS_LIST, NULL, "Liste", "List")
MSG(MSG_RESULTS_UNION, NULL, "Organisation syndicale", "Union")
MSG(MSG_RESULTS_VOTES, NULL, "Voix", "Votes")
MSG(MSG_RESULTS_SEATS, NULL, "Sièges", "Seats")
MSG(MSG_RESULTS_ONE_SEAT_REMAINS_LISTS, NULL,
    "Un siège reste à attribuer : des listes sont à égalité après les règles de départage ; le "
    "bureau de vote en décide selon le procès-verbal.",
    "One seat remains: lists are tied after the tie-break rules; the bureau de vote decides as the "
    "official report says.")
MSG(MSG_RESULTS_RESULTS_SHOWN_HERE_ONCE, NULL,
    "Les résultats seront affichés ici après le dépouillement par le bureau de vote.",
    "The results will be shown here once the bureau de vote has counted the votes.")
MSG(MSG_RESULTS_RESULTS_COUNT_BEFORE_OFFICIAL, NULL,
    "Résultats du dépouillement, avant leur proclamation officielle.",
    "Results of the count, before their official proclamation.")
MSG(MSG_RESULTS_PROCLAIMED_RESULTS, NULL, "Résultats proclamés.", "Proclaimed results.")

/* Portal: page_space.c */
MSG(MSG_SPACE_VOTED_VOTE_FINAL, NULL,
    "Vous avez voté. Votre vote est définitif.",
    "You have voted. Your vote is final.")
MSG(MSG_SPACE_NOT_VOTED_YET, NULL, "Vous n'avez pas encore voté.", "You have not voted yet.")
MSG(MSG_SPACE_VOTE, NULL, "Voter", "Vote")
MSG(MSG_SPACE_VOTING_NOT_OPEN, NULL, "Le vote n'est pas ouvert.", "Voting is not open.")
MSG(MSG_SPACE_NOT_CALLED_VOTE_ANY, NULL,
    "Vous n'êtes appelé(e) à voter dans aucun scrutin.",
    "You are not called to vote in any scrutin.")
MSG(MSG_SPACE_I_LOST_MY_NOTICE, NULL,
    "J'ai perdu ma notice ou mon code de vote",
    "I lost my notice or my vote code")

/* Portal: page_staff_login.c */
MSG(MSG_STAFF_LOGIN_MANAGEMENT_CONSOLE_LOG, NULL,
    "Console de gestion : connexion",
    "Management console: log in")
MSG(MSG_STAFF_LOGIN_LOGIN, NULL, "Identifiant", "Login")
MSG(MSG_STAFF_LOGIN_PASSWORD, NULL, "Mot de passe", "Password")
MSG(MSG_STAFF_LOGIN_ONE_TIME_CODE, NULL, "Code à usage unique", "One-time code")
MSG(MSG_STAFF_LOGIN_6_DIGITS_AUTHENTICATOR_APP, NULL,
    "Les 6 chiffres affichés par votre application d'authentification.",
    "The 6 digits your authenticator app shows.")
MSG(MSG_STAFF_LOGIN_SUPPORT_CELL_ELECTION_OFFICERS, NULL,
    "Réservé à la cellule d'assistance, au bureau de vote et aux contrôleurs.",
    "For the support cell, the election officers and the auditors only.")

/* Portal: page_support.c */
MSG(MSG_SUPPORT_ACTION_LINK, NULL, "Envoyer un nouveau lien", "Send a new link")
MSG(MSG_SUPPORT_ACTION_LINK_HELP, NULL,
    "Lien d'activation si le compte n'est pas activé, sinon lien de nouveau mot de passe ; les "
    "liens précédents cessent de fonctionner.",
    "An activation link if the account is not activated, else a new-password link; earlier links "
    "stop working.")
MSG(MSG_SUPPORT_ACTION_DEFI, NULL, "Réinitialiser le défi", "Reset the défi")
MSG(MSG_SUPPORT_ACTION_DEFI_HELP, NULL,
    "L'électeur choisit une nouvelle question défi, et un mot de passe, par le lien envoyé. Ses "
    "sessions ouvertes sont fermées.",
    "The voter picks a new défi question, and a password, from the link sent. Their open sessions "
    "are closed.")
MSG(MSG_SUPPORT_ACTION_CODE, NULL, "Envoyer un nouveau code de vote", "Send a new vote code")
MSG(MSG_SUPPORT_ACTION_CODE_HELP, NULL,
    "Par courriel, pendant le vote ; le code de la notice cesse de fonctionner.",
    "By e-mail, while the vote is open; the notice's code stops working.")
MSG(MSG_SUPPORT_ACTION_UNLOCK, NULL, "Débloquer", "Unlock")
MSG(MSG_SUPPORT_ACTION_UNLOCK_HELP, NULL,
    "Lève les blocages de connexion, de saisie du code de vote et de réponse au défi.",
    "Lifts the login, vote-code and défi-answer locks.")
MSG(MSG_SUPPORT_SURNAME_VOTER_NUMBER_E, NULL,
    "Nom, numéro d'électeur ou adresse électronique",
    "Surname, voter number or e-mail address")
MSG(MSG_SUPPORT_START_SURNAME_DO, NULL,
    "Le début du nom suffit.",
    "The start of the surname will do.")
MSG(MSG_SUPPORT_SEARCH, NULL, "Rechercher", "Search")
MSG(MSG_SUPPORT_NO_VOTER_MATCHES, NULL, "Aucun électeur ne correspond.", "No voter matches.")
MSG(MSG_SUPPORT_VOTERS_FOUND, NULL, "Électeurs trouvés", "Voters found")
MSG(MSG_SUPPORT_NAME, NULL, "Nom", "Name")
MSG(MSG_SUPPORT_NUMBER, NULL, "Numéro", "Number")
MSG(MSG_SUPPORT_ADDRESS, NULL, "Adresse", "Address")
MSG(MSG_SUPPORT_SUPPORT_CELL, NULL, "Cellule d'assistance", "Support cell")
MSG(MSG_SUPPORT_YES, NULL, "oui", "yes")
MSG(MSG_SUPPORT_NO, NULL, "non", "no")
MSG(MSG_SUPPORT_LOCKED_UNTIL, NULL, "bloquée jusqu'au ", "locked until ")
MSG(MSG_SUPPORT_NOT_LOCKED, NULL, "non bloquée", "not locked")
MSG(MSG_SUPPORT_STATUS, NULL, "Situation", "Status")
MSG(MSG_SUPPORT_STRUCK_OFF_LIST, NULL, "Radié de la liste", "Struck off the list")
MSG(MSG_SUPPORT_ACCOUNT_ACTIVATED, NULL, "Compte activé", "Account activated")
MSG(MSG_SUPPORT_DEFI_QUESTION_CHOSEN, NULL, "Question défi choisie", "Défi question chosen")
MSG(MSG_SUPPORT_VOTE_CODE_ISSUED, NULL, "Code de vote attribué", "Vote code issued")
MSG(MSG_SUPPORT_LOGIN, NULL, "Connexion", "Login")
MSG(MSG_SUPPORT_VOTE_CODE_ENTRY, NULL, "Saisie du code de vote", "Vote-code entry")
MSG(MSG_SUPPORT_CHALLENGE_ANSWER, NULL, "Réponse au défi", "Challenge answer")
MSG(MSG_SUPPORT_SIGNATURE_LIST, NULL, "Liste d'émargement", "Signature list")
MSG(MSG_SUPPORT_VOTED, NULL, "a voté", "has voted")
MSG(MSG_SUPPORT_NOT_VOTED, NULL, "n'a pas voté", "has not voted")
MSG(MSG_SUPPORT_ACTIONS, NULL, "Actions", "Actions")
MSG(MSG_SUPPORT_EACH_ACTION_RECORDED_AUDIT, NULL,
    "Chaque action est enregistrée au journal d'audit avec votre identifiant et son motif.",
    "Each action is recorded in the audit log with your login and its reason.")
MSG(MSG_SUPPORT_REASON, NULL, "Motif", "Reason")
MSG(MSG_SUPPORT_VOTER_FILE, NULL, "Dossier d'un électeur", "A voter's file")
MSG(MSG_SUPPORT_NEW_SEARCH, NULL, "Nouvelle recherche", "New search")
MSG(MSG_SUPPORT_ACTION_DONE, NULL, "Action effectuée : %s.", "Action done: %s.")

/* Portal: page_vote.c */
MSG(MSG_VOTE_CHOOSE_LIST_BLANK_VOTE, NULL,
    "Choisissez une liste ou le vote blanc",
    "Choose a list or a blank vote")
MSG(MSG_VOTE_BLANK_VOTE, NULL, "Vote blanc", "Blank vote")
MSG(MSG_VOTE_CHECK_CHOICE, NULL, "Vérifiez votre choix", "Check your choice")
MSG(MSG_VOTE_CHOSE, NULL, "Vous avez choisi :", "You chose:")
MSG(MSG_VOTE_CHANGE_MY_CHOICE, NULL, "Modifier mon choix", "Change my choice")
MSG(MSG_VOTE_CODE_LABEL, NULL, "Code de vote", "Vote code")
MSG(MSG_VOTE_CODE_HINT, NULL,
    "Il figure sur votre notice : 28 caractères en 7 groupes de 4, par exemple 7K2M-9QXD-…. Il ne "
    "quitte pas votre appareil.",
    "It is on your notice: 28 characters in 7 groups of 4, for example 7K2M-9QXD-…. It never "
    "leaves your device.")
MSG(MSG_VOTE_I_UNDERSTAND_MY_VOTE, NULL,
    "J'ai compris que mon vote est définitif : je ne pourrai plus le modifier.",
    "I understand that my vote is final: I will not be able to change it.")
MSG(MSG_VOTE_TICK_BOX_CONFIRM, NULL,
    "Cochez cette case pour confirmer.",
    "Tick this box to confirm.")
MSG(MSG_VOTE_CONFIRM_MY_VOTE, NULL, "Confirmer mon vote", "Confirm my vote")
MSG(MSG_VOTE_ELECTION_FINGERPRINT, NULL, "Empreinte de l'élection :", "Election fingerprint:")
MSG(MSG_VOTE_CHECK_SAME_ONE_PRINTED, NULL,
    "Vérifiez qu'elle est identique à celle imprimée sur votre notice. Si elle diffère, ne votez "
    "pas et prévenez la cellule d'assistance.",
    "Check that it is the same as the one printed on your notice. If it differs, do not vote and "
    "tell the support cell.")
MSG(MSG_VOTE_BALLOT_ENCRYPTED_DEVICE_BEFORE, NULL,
    "Votre bulletin est chiffré sur votre appareil avant d'être envoyé, pour que personne, pas "
    "même le serveur, ne connaisse votre choix : cette étape a besoin de JavaScript. Activez-le "
    "pour voter.",
    "Your ballot is encrypted on your device before it is sent, so that no one, not even the "
    "server, learns your choice: this step needs JavaScript. Turn it on to vote.")
MSG(MSG_VOTE_CHOOSE_LIST_ERROR, NULL,
    "Choisissez une liste ou le vote blanc.",
    "Choose a list or a blank vote.")
MSG(MSG_VOTE_CONTINUE, NULL, "Continuer", "Continue")
MSG(MSG_VOTE_RECORDED, NULL, "Votre vote est enregistré", "Your vote is recorded")
MSG(MSG_VOTE_ENCRYPTED_BALLOT_BALLOT_BOX, NULL,
    "Votre bulletin chiffré est dans l'urne. Un accusé de réception vous est envoyé par courriel.",
    "Your encrypted ballot is in the ballot box. An acknowledgement is being sent to you by "
    "e-mail.")
MSG(MSG_VOTE_TRACKING_NUMBER, NULL, "Votre numéro de suivi", "Your tracking number")
MSG(MSG_VOTE_WRITE_DOWN_LETS_CHECK, NULL,
    "Notez-le : il permet de vérifier que votre bulletin est dans l'urne publique, sans révéler "
    "votre choix.",
    "Write it down: it lets you check that your ballot is in the public ballot box, without "
    "revealing your choice.")
MSG(MSG_VOTE_CHECK_MY_BALLOT_BALLOT, NULL,
    "Vérifier mon bulletin dans l'urne",
    "Check my ballot in the ballot box")
MSG(MSG_VOTE_RECEIPT_SIGNED_SERVER, NULL,
    "Reçu signé par le serveur",
    "Receipt signed by the server")
MSG(MSG_VOTE_FINGERPRINT_LABEL, NULL, "Empreinte de l'élection", "Election fingerprint")
MSG(MSG_VOTE_SIGNATURE_ED25519, NULL, "Signature (Ed25519)", "Signature (Ed25519)")
MSG(MSG_VOTE_BALLOT_NOT_ENCRYPTED_DEVICE, NULL,
    "Le bulletin n'a pas été chiffré sur votre appareil (JavaScript est-il activé ?). Rien n'a été "
    "enregistré.",
    "The ballot was not encrypted on your device (is JavaScript on?). Nothing was recorded.")
