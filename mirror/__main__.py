from mirror.main import main

main()
