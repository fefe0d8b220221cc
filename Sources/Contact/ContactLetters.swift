import Foundation
import Partners

/// The texts of the relay's e-mails in the initiative's three languages: the message to a partner (in the
/// partner's language) and the confirmation asked of its sender (in the sender's page language).
public enum ContactLetters {
    /// The partner's language, when known: the languages of its descriptions if it has only one, else its country's.
    public static func language(of partner: Partner) -> String {
        let written = Partner.languages.filter { partner.description[$0] != nil }
        if written.count == 1 { return written[0] }
        if frenchSpeaking.contains(partner.country) { return "fr" }
        if spanishSpeaking.contains(partner.country) { return "es" }
        return "en"
    }

    static let frenchSpeaking: Set<String> = ["FR", "BE", "LU", "MC", "CH", "SN", "CI", "ML", "BF", "NE", "TG", "BJ", "GN",
                                              "CM", "GA", "CG", "CD", "CF", "TD", "MG", "HT", "MA", "DZ", "TN", "DJ", "KM",
                                              "BI", "RW", "NC", "PF", "RE", "GP", "MQ", "GF", "YT", "PM", "WF", "MR"]
    static let spanishSpeaking: Set<String> = ["ES", "MX", "GT", "HN", "SV", "NI", "CR", "PA", "CU", "DO", "PR", "CO", "VE",
                                               "EC", "PE", "BO", "PY", "CL", "AR", "UY", "GQ"]

    public static func contactSubject(from sender: String, language: String) -> String {
        switch language {
        case "fr": "Message de \(sender) via la carte des partenaires 4 pour 1000"
        case "es": "Mensaje de \(sender) a través del mapa de socios 4 por 1000"
        default: "Message from \(sender) through the 4 per 1000 partner map"
        }
    }

    public static func contactBody(_ m: OutboxMessage, partnerName: String) -> String {
        let who = m.senderName + (m.senderOrganisation.map { " (\($0))" } ?? "")
            + (m.senderPartner.map { " [partner \($0)]" } ?? "")
        let intro: String, outro: String
        switch language(m.language) {
        case "fr":
            intro = "Bonjour \(partnerName),\n\n\(who) vous écrit par le relais de la carte des partenaires de l'initiative 4 pour 1000 :"
            outro = "Répondez à ce courriel pour lui écrire directement. Votre adresse ne lui a pas été montrée."
        case "es":
            intro = "Hola \(partnerName):\n\n\(who) le escribe a través del mapa de socios de la iniciativa 4 por 1000:"
            outro = "Responda a este correo para escribirle directamente. Su dirección no se le ha mostrado."
        default:
            intro = "Hello \(partnerName),\n\n\(who) wrote to you through the 4 per 1000 initiative's partner map:"
            outro = "Reply to this e-mail to write to them directly. Your address was not shown to them."
        }
        return "\(intro)\n\n\(m.message)\n\n-- \n\(outro)\n"
    }

    public static func confirmationSubject(language: String) -> String {
        switch language {
        case "fr": "Confirmez votre message (carte des partenaires 4 pour 1000)"
        case "es": "Confirme su mensaje (mapa de socios 4 por 1000)"
        default: "Confirm your message (4 per 1000 partner map)"
        }
    }

    public static func confirmationBody(senderName: String, partnerName: String, link: String, hours: Int, language: String) -> String {
        switch language {
        case "fr":
            "Bonjour \(senderName),\n\nPour que votre message à \(partnerName) parte, ouvrez ce lien dans les \(hours) heures :\n\n\(link)\n\nSi vous n'avez rien écrit, ignorez ce courriel : rien ne sera envoyé.\n"
        case "es":
            "Hola \(senderName):\n\nPara enviar su mensaje a \(partnerName), abra este enlace en las próximas \(hours) horas:\n\n\(link)\n\nSi no escribió nada, ignore este correo: no se enviará nada.\n"
        default:
            "Hello \(senderName),\n\nTo send your message to \(partnerName), open this link within \(hours) hours:\n\n\(link)\n\nIf you did not write it, ignore this e-mail: nothing will be sent.\n"
        }
    }

    static func language(_ code: String) -> String { Partner.languages.contains(code) ? code : "en" }
}
