/// Common English words that synthetic prompts are drawn from: plain text tokenizes the way
/// real prompts do on any vocabulary, unlike random token ids, which decode to text that
/// re-tokenizes differently.
enum WordList {
    static let words: [String] = """
        the of and to in is that for it as was with be by on not he this are or his from at which but have an they you \
        were her she there one all we their has been would will what if can when so no said who more about up out them \
        some could into than then only other time new two may first any like now my such make over our even most after \
        also made many before must through back years where much your way well down should because each just those people \
        how too little state good very world still own see men work long here get both between life being under never day \
        same another know while last might great old year off come since against go came right used take three house use \
        during without again place around however home small found thought went say part once general high upon school every \
        does got united left number course war until always away something fact though water less public put think almost \
        hand enough far took head yet government system better set told nothing night end why called find going look asked \
        later point knew city next program business give group toward young days let room president side social present given \
        several order national possible rather second face per among form important often things looked early white case john \
        become large big need four within felt along children saw best church ever least power development light thing seemed \
        family interest want members mind country area others done turned although open god service problem certain kind \
        different thus began door help sense means whole matter perhaps itself york times human law line above name example \
        action company hands local show five history gave today either act feet across taken past quite anything seen having \
        death week experience body word half really field car words already themselves information tell together college \
        shall money period held keep sure probably free seems political real behind cannot miss question air office making \
        brought whose special heard major problems ago became federal moment study available known result street economic boy
        """.split(separator: " ").map { String($0.trimmingCharacters(in: .whitespacesAndNewlines)) }.filter { !$0.isEmpty }
}
