"""Advance widths of the letters, digits, spacing vowel signs, punctuation and
symbols of the scripts the diagrams draw from Noto fonts (and of the Latin, Greek
and Cyrillic letters Liberation Sans draws), in twentieths of an em, rounded up;
measured in Chromium by tests/measure_glyphs.py, which wrote this file.

Each block is a string, one character per code point from its first: the width
is ord(c) - 48; ' ' where a character takes no width of its own (a mark) or was
not measured."""

BLOCKS: dict[int, str] = {
    # Latin-1 letters, Latin Extended-A and -B
    0x00C0: ">>>>>>D?>>>>6676??@@@@@<@????>>=<<<<<<B:<<<<6676<<<<<<<;=<<<<:<:><><><?:?:?:?:?=?<><><><><><@<@<@<@<?<?<8866776566?9:7>;;<6<5<7<7<5?<?<?<=?<@<@<@<DC?7?7?8>:>:>:>:=6=8=6?<?<?<?<?<?<C?>:>=:=:=:6<@><><?@<?A><<>@==<@=B56>;5:B@<@B>B>@<>>:=86=6=B>??@>=:==;;<<::<69<6KIEFA:IC@><77@<?<?<?<?<?<<><><DB@<@<>;@<@<=;7KIE@<E=?<><DB@=><><><><8866@<@<?8?7?<?<>:=6;9?<?>=<=:><><@<@<@<@<>:8>96BB>?:<=::<:>?>><:6@<?7>:",
    # Greek
    0x0370: "98=;77@=  7:::68    77>6@A9 A B@7>><>>=?@6>>A?=@?> ==>@>A?6><9<5;<<:<99<<5;:<:9<><:=8;=;?@6;<;@=<;@D@<@=@<?:=9=;@<BA><>:>>=<?<:9=<:6@99><?A><???",
    # Cyrillic
    0x0400: ">>B;?>66:FEB<?=?>>>;>>C=??<>A?@?>?==@>?>CC@B>?E?<<;8<<>:<<9<><<;<:::A:<;AA=?;;?;<<<8;:566CA<9<:<K=@=C?>:B>A>FB=:@>@<A=A=FBA=HBK=?:;       ?<>;><:9<8>;C>=:<9<9<9?;?<B=GB@;?:=:<:<:>:C>>;>;><B>B>6C>><><?<?<>;A?5><><DB><@<@<C>=:=;?<?<@<@<@<?;=:=:=:>;;8B?<8>:>:><DBDA>;DCEB@<?>=:><CAAACB@<C?=;EAFB?=?=@>MH><?<",
    # Armenian
    0x0530: " @?@@?@=?B@>;CB??@@@@??@??A@@?@?>?;A@@@  775859:CD=>>==;=?>=7D====>==7>:=9D<===D==9D==AA678  AA?",
    # Hebrew
    0x0590: "                                              8 <  2  8         =<9<=67>>6;;;>>68><==;;<;?>    ?;;;8=           ",
    # Arabic
    0x0600: "      ==D@D<77H=           7 ?7;@:86;6@6C;CC===99;;IIIICC<<BB@@@7E@A?=?;;@@                     ;;;;;;;;;;;77;C@ 67769<<ACCCCCCCC=======999999999;;<<><;;;IIIIIC<EEEEEE@@BFBAAABBBBBB?????????>=<<<<<<;;;<<;@D@<@A>>4;        F      56  <    ;8;;;;;;;;;;IH;:=B",
    # Syriac
    0x0700: "<6666;8888<C>@  C DKK;;C=6?DD5IC>BGBBDA@AA;C?DK<                             <A>",
    # Thaana
    0x0780: ";?B??=;<<<;>>=<?E8<>@;<?>;;>?EEE>><<<=           :              ",
    # NKo
    0x07C0: "==========6<9<>><>A99<=8D:@>=?;?:=<;;;<<::8         77<C<<8   @<",
    # Devanagari to Sinhala
    0x0900: "   6@@E;;<@B?<<<<FEEE@A<=>=?@@@;<<<?<>;=<<<@<?=<99>@@<><>; 6 :686        6666 66C       @A<@<<@<B@  7:<<<<<<<<<<97A@EE@@<@<<?:<<; 99 CH;??BB=  @B  ?BA?>>?<?CAE<=?<=?>=== ?B=?=== @   >>?;   ;666      78  == <        6    ?< =B=    <<<<<<<<<<==<=<??6>:>8;9     8 @DAA>>    <@  >@==@@<>>==<<>=>=<===> =<=<=?< >> <= =<    A66                        =@=< <       <<<<<<<<<<  <>O 6            5 AF<=<BB@B AAF FF;A>=;>>?>?:::;A<=:=< =:?@==9 >? <@=?<   :B66        B BB   B               DA    ;::9:=9;9;7?       ?        7: >B@@@AA<  >C  >C@????>?@>??@????>@>? ?B?A?@? A@ ???>?   9E 7      ;;  ??          5    ?? AA<    <<<<<<<<<<=>5:>:;=           B GKG?FO   AAE DDZA   E? E I>   QA   @I@   BD=BEFBEHKJQ    IA FM   NJS [Wc   G      Q              =AFDCFEAGHBBDDJ]EKXEI      6;6 @@>D@FMB ??? ???<@<F?@@?JD@<??A@???? ???@FJ<A?>A?=@?E   <   7>8>                   @??  ?  TI    >>@;>?><A>       E=6:>=<<?< =7EA@>CGNH? @@@ ???<A=B?@A?JCA=@@A=???> ??@@FI=A?> @>@>@   :8 87>3:  83 >F         83      ?A P?    <==<>?<<?< ;?               :7<NQDS>NBH JJX @JOEDBKFCKCRM<>IKLEB=CCEBGK>?E?>B?>DEGIH@  =;55     ?<M IFN <I    =E?@IGFDOYLKBK    <BBF@DI?DGGCM@CILS\\GOF?HEI  :7 ?FEE?>@IIQFP@@MBBL   EBB@BF@@@MKHC@AAAHDC@<AC ?@@ACAB@> A  @C@@C@A        EDD      9==JEEH;      8AIQ@<A8>I  A;R           ",
    # Thai, Lao
    0x0E00: " <;;==<;;=;<CC==;=CC====;====>>>==<:=<=:==<<><<;7 9>           =6<7679<        <<;=<;;;?<;@B                                     >> > D:==> =>C>>DEA>=>>=>==?@>>@?>> = =>>?A==>@= ;D         >  8>:;: >         ===>==?>>>  EE==                                ",
    # Tibetan
    0x0F00: "B@EGD;DL:=B5559559K<8@?>  8>>8>>;:;;>9;=;;>>>>>>?>>>6 < = PPAA9:?>??==?= ;<=<<><=<<>====??@???><=?>?>=><A?>?>                  7     <  <?>??                                                 @@?;?@<: C:>@@@ >>Q;5D;@@@@<<                                     ",
    # Myanmar
    0x1000: "G>>G=>G>BFG>>?>JGG=><>>>G>G?G>GG>FGFK>>=>Lb6:    =      7  65  P>=>==>?=>?6:>B>G>>>>>>88  =B>>   >7>9>>9799999JGG    >>>GGGGGGF>G> 8<  77797> >7@=>????<>>779 8D",
    # Georgian
    0x10A0: "B?>A=@@C:=AB=B@=C==BB?====AB===?A<><<? <     <  ;;<A;;;A;;F;;@;;@;>;A;@;;;<;;;;:;;;;;<A<;<;97<<=",
    # Ethiopic
    0x1200: "=?;;;?@B<>@<@>B>@BB@C@@BDFDBDBBBADAABCAA;=<>=;=>=??=@==>=??=@==>>>>=>>>>@ D>>C  >>>>>?= ? D>>C  =??=@?=>=@?=@?=>=============?==<>><><??A A=>@  9;;;::==<??<<;>=<>?;?<;==@@=A==?D C>@B  ACCADAA G FBDE  @B>>>B>B<?=<><; ;>>;?>;=AAAAAAAA:;=:=?=?=BB???>?=AA?>>>?=AA>@>>A<>><?@<<A A<?A  =??=?@=?DFFDGDDEFFFFJGFF<??;?>;><??;?=;?<?;:;<;=>===?=>=======>=>E>     ?6;888<6=<<<<<<<<<<<<<<=<@<<=   JHCJCB@FAAAA@?=B6:66:@8CC9      ",
    # Cherokee
    0x13A0: "A?>BG7?A?@?<?D=@==CF@>?EADFAAA@@@A@=?G@EBKF>AE=>>B?=D?@???=FA>>>BB>?AC@<ABF@F==F@A@A?@  =>=><=  ",
    # Khmer
    0x1780: "===C====JD===CI==<=======D6C7==CCA==C=C==?==>=?===<=  6       6<<666<< 86           <?:<X?L7?   ==@B===@==      894?986<6:      ",
    # Mongolian
    0x1800: ";E8=8<9<9=4     <<=B;?==<;      CADCCIIH<?>>BB<<@@??@::><><;BAFCF=H5BCCGCGFC?BB;?<@@=:?<<F?;?AD8CIC;?A??A?;<<<@@8@;D;B<:@       <@>::  ED?C=;@=;;<>>>B?;=BHA@C;><E@;@@;<D ?     ",
    # Tifinagh
    0x2D30: "=BB>>=<>>==>B>:>BB7=@>;>==;D@?=6@6@=BB@7?BB>@>>=>@=@<@==       ;?               ",
    # Javanese
    0xA980: "   9KDIIEDFI@@DIIJCJDENDDHMDDFAHHDFEDDEIEDLCJHDCEFH 99    >>  8:9PP]\\\\=6:>5966 :=CFL<@@HEL    <>",
    # General Punctuation (‰, ‱, ⁂)
    0x2010: "77<<DD9<55557777<<88:;D6        DO4896:=877A:99==8G7;77B>><>==<5=<8D=<;@AA5>@66",
    # Letterlike Symbols, Number Forms, Arrows (™, ⅷ, →)
    0x2100: "?>=D<BB<=B>F?@==@<A7A@F?A>@BA?==AAD==;@@<7>>A>=:=B;H:=;8:6CL@;<@=?;;<?=:7:>?>C:FA@EAA@ABA@AAAAA=6:>C>CGKC>CG<>@B6:=A<ADHA<AE6;=DI@I?:>;?HB<=    D:D:D:AAAAGGAAAAAAAAAAAA:AAAAAGAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAGAAAAADAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    # Supplemental Punctuation (⸻)
    0x2E00: "::::::::::::::EDDD7>??<79?7<::<<<<7777DD;;AAAA9<<6666699:;Wi468?759D7888868;6;67;;<???????????",
    # Alphabetic and Arabic Presentation Forms (ﬃ, ﷺ, ﷽)
    0xFB00: "?::CC>A            IIHHO     6 ;<=<=;;>;><????===<9<=68 >6;;; > 8> == ;<;?>6<;==68CD67CD67CD67CD67CD67CD67EE:;EE:;=>=>=>=>=>=>=>=>9;9;9;9;;=;=BD:<BD:<BD:<BD:<?@?@679;9;6:>=;:CBCB4466666666434566?                AB:<;<;<;<<;<9;9;@A6767<>@B?B?B?B?BEG=EG=@A67CCAEECCCAEECCCBEECBEEIHIHIIHMMMKPNPPPNKIIHFHFFFFEHHFEHH?FFFHDHHCCCADDHHHFJJCCCAEEIGKKCCCBEE:8@766667AADGGGAADGGGAADHHHAADHHHJJJJAJGJJCFFCHAADGGG@AADHHHCCCA@CCCA@CCCBABIHIHIHMMMLOONOOONKJGFGFFFFEFEFFF?DBBBA@HHHGCCCA@IH<CCCBADBDBECECNMNMBGCDBEC778MMIIIIOOOOKKKKKKQQQQMMMKIIKKNNKKKKQQQQMMMMMMSSSSOOONKKMMMMMLJJJOOOOOOKK:977????????????????OSPOOOOOWUYYZZ^[XXYW^\\[ZX^[XYW`\\[XVUZTSRVSVVSRTROSSOQONPNTSYTSTS  TTSNTPNTSSPNTTTTTSSYZY^`^`SRTTSWVTRNVVOYNRORZZYVTPSZ^T       ?                                WJPM^^_QZWGEQ~??",
    # Arabic Presentation Forms-B
    0xFE70: "67666 6767677767:8867;<67@A6767CD67;;CD67CD67=>=>=>=>=>=>9;9;;=;=IJACIJACIIBBIIBBCDAACDAA<<=;<<;;EE:;@A:;AB:<?@78=>;<?@67;;;:;<@A@A67>?<=<=<=",
}
